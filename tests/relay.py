# SPDX-License-Identifier: MIT
"""A TCP relay as Windows' relay under WSL: run as another user, it listens on a port of its
own and passes each connection on to 127.0.0.1 at the port given, printing its port first and
serving until killed. Kept as text (SOURCE) to be run with `python3 -c`: the user it runs as
may not be allowed to read this tree."""

SOURCE = r'''
import socket, sys, threading

def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def serve(client):
    upstream = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    back = threading.Thread(target=pump, args=(upstream, client))
    back.start()
    pump(client, upstream)
    back.join()
    client.close()
    upstream.close()

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(16)
print(server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
'''
