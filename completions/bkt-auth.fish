# SPDX-License-Identifier: MIT
# fish completion for bkt-auth

# bkt-auth's hosts.json, as bkt-auth finds it.
function __bkt_auth_hosts_file
    set -l dir $BKT_AUTH_CONFIG_DIR
    if test -z "$dir"
        set -l base $XDG_CONFIG_HOME
        test -n "$base"; or set base $HOME/.config
        set dir $base/bkt-auth
    end
    echo $dir/hosts.json
end

# The keys under "hosts" (two tabs in), or the "host" members of an older release's list.
function __bkt_auth_hosts
    set -l file (__bkt_auth_hosts_file)
    test -r $file
    and sed -n -e 's/^[[:space:]]*"host":[[:space:]]*"\([^"]*\)".*/\1/p' \
        -e 's/^[[:space:]][[:space:]]"\([^"]*\)":[[:space:]]*{.*/\1/p' $file 2>/dev/null
end

function __bkt_auth_users
    set -l file (__bkt_auth_hosts_file)
    test -r $file
    and sed -n 's/^[[:space:]]*"username":[[:space:]]*"\([^"]*\)".*/\1/p' $file 2>/dev/null | sort -u
end

# After "bkt-auth exec ... --": the command exec runs.
function __bkt_auth_exec_command
    set -l words (commandline -opc)
    contains -- exec $words; and contains -- -- $words
end

set -l commands login status token refresh logout switch exec setup-git setup-bkt git-credential doctor
set -l with_host login status token refresh logout switch exec setup-git setup-bkt doctor
set -l with_user status token refresh logout switch exec

complete -c bkt-auth -f
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'Show the help'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'Show the versions'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a login -d 'Log in to Bitbucket Cloud or a Data Center'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a status -d 'Show which hosts you are logged in to'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a token -d 'Print a valid access token'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a refresh -d 'Refresh the access token now'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a logout -d 'Remove the stored login of an account'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a switch -d 'Make another account active'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a exec -d 'Run a command with a fresh token'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a setup-git -d 'Make git use bkt-auth'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a setup-bkt -d 'Let plain bkt use a login of bkt-auth'
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a git-credential -d "Answer git's credential requests"
complete -c bkt-auth -n "not __fish_seen_subcommand_from $commands" -a doctor -d 'Find what makes logins fail'

complete -c bkt-auth -n "__fish_seen_subcommand_from $with_host; and not __bkt_auth_exec_command" -a '(__bkt_auth_hosts)' -d 'Stored host'
complete -c bkt-auth -n "__fish_seen_subcommand_from $commands; and not __bkt_auth_exec_command" -l help -d 'Show the help'
complete -c bkt-auth -n '__bkt_auth_exec_command' -a '(__fish_complete_command)' -d 'Command to run'

complete -c bkt-auth -n '__fish_seen_subcommand_from login' -s k -l kind -x -a 'cloud dc' -d 'The kind of Bitbucket'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -s w -l web -d 'Log in with OAuth in the browser'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -s i -l interactive -d 'The wizard'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l no-interactive -d 'Plain lines, for scripts'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l with-token -d 'Read a token from standard input'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l client-id -x -d 'Client ID or consumer key'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l client-secret-file -r -F -d 'Read the client secret from a file'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l redirect-uri -x -d 'The registered Redirect URL'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l scopes -x -d 'Scopes to request'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l no-browser -d 'Show the address, start no browser'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l timeout -x -d 'Seconds to wait for the browser'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l ca-file -r -F -d 'Extra CA certificates'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l allow-http -d 'Permit an http:// host'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l storage -x -a 'secret-service kernel-keyring file' -d 'Where to keep the tokens'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l insecure-storage -d 'Keep tokens in a private file'
complete -c bkt-auth -n '__fish_seen_subcommand_from login' -l json -d 'Print the result as JSON'

complete -c bkt-auth -n "__fish_seen_subcommand_from $with_user; and not __bkt_auth_exec_command" -s u -l user -x -a '(__bkt_auth_users)' -d 'The account'
complete -c bkt-auth -n '__fish_seen_subcommand_from status' -l json -d 'Print JSON on standard output'
complete -c bkt-auth -n '__fish_seen_subcommand_from token' -l json -d 'The token with its host and expiry as JSON'
complete -c bkt-auth -n '__fish_seen_subcommand_from refresh' -l bkt -d 'Every host whose token bkt holds a copy of'
complete -c bkt-auth -n '__fish_seen_subcommand_from status' -l show-token -d 'Show the whole token'
complete -c bkt-auth -n '__fish_seen_subcommand_from doctor' -l json -d 'Print the findings as JSON'

complete -c bkt-auth -n '__fish_seen_subcommand_from git-credential' -a 'get store erase' -d 'Operation'
