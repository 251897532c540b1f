# SPDX-License-Identifier: MIT
# bash completion for bkt-auth

# What hosts.json stores, one a line: the hosts (the keys under "hosts", two tabs in; or the
# "host" members of the list an older release wrote), or with "users", the accounts' user names.
_bkt_auth_stored()
{
    local dir=${BKT_AUTH_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/bkt-auth}
    [[ -r $dir/hosts.json ]] || return 0
    if [[ $1 == users ]]; then
        sed -n 's/^[[:space:]]*"username":[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/hosts.json" 2>/dev/null | sort -u
    else
        sed -n -e 's/^[[:space:]]*"host":[[:space:]]*"\([^"]*\)".*/\1/p' \
            -e 's/^[[:space:]][[:space:]]"\([^"]*\)":[[:space:]]*{.*/\1/p' "$dir/hosts.json" 2>/dev/null
    fi
}

_bkt_auth()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="login status token refresh logout switch exec setup-git setup-bkt git-credential
        doctor"
    local command="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) command=${COMP_WORDS[i]}; break ;;
        esac
    done

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return 0
    fi

    local options="--help"
    case $command in
        login)
            case $prev in
                -k|--kind)
                    COMPREPLY=($(compgen -W "cloud dc" -- "$cur"))
                    return 0 ;;
                --storage)
                    COMPREPLY=($(compgen -W "secret-service kernel-keyring file" -- "$cur"))
                    return 0 ;;
                --client-secret-file|--ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0 ;;
                --client-id|--redirect-uri|--scopes|--timeout)
                    return 0 ;;
            esac
            options="--kind --web --interactive --no-interactive --with-token --client-id
                --client-secret-file --redirect-uri --scopes --no-browser --timeout --ca-file
                --allow-http --storage --insecure-storage --json --help" ;;
        status|token|refresh|logout|switch|exec)
            if [[ $command == exec ]]; then
                # After "--": the command to run, then its own arguments.
                local j
                for ((j = i + 1; j < COMP_CWORD; j++)); do
                    [[ ${COMP_WORDS[j]} == -- ]] || continue
                    if ((j + 1 == COMP_CWORD)); then
                        COMPREPLY=($(compgen -c -- "$cur"))
                    else
                        COMPREPLY=($(compgen -f -- "$cur"))
                    fi
                    return 0
                done
            fi
            case $prev in
                -u|--user)
                    local IFS=$'\n'
                    COMPREPLY=($(compgen -W "$(_bkt_auth_stored users)" -- "$cur"))
                    return 0 ;;
            esac
            case $command in
                status) options="--user --json --show-token --help" ;;
                token) options="--user --json --help" ;;
                refresh) options="--user --bkt --help" ;;
                exec) options="--user --help --" ;;
                *) options="--user --help" ;;
            esac ;;
        doctor) options="--json --help" ;;
        git-credential)
            [[ $cur == -* ]] || { COMPREPLY=($(compgen -W "get store erase" -- "$cur")); return 0; } ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ $command != git-credential ]]; then
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$(_bkt_auth_stored hosts)" -- "$cur"))
    fi
    return 0
}

complete -F _bkt_auth bkt-auth
