# SPDX-License-Identifier: MIT
# bash completion for bkt-auth

# The hosts stored in hosts.json, one a line.
_bkt_auth_hosts()
{
    local dir=${BKT_AUTH_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/bkt-auth}
    [[ -r $dir/hosts.json ]] || return 0
    sed -n 's/^[[:space:]]*"host":[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/hosts.json" 2>/dev/null
}

_bkt_auth()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="login status token refresh logout setup-git git-credential doctor"
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
                --client-secret-file|--ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0 ;;
                --client-id|--redirect-uri|--scopes|--timeout)
                    return 0 ;;
            esac
            options="--kind --web --interactive --no-interactive --with-token --client-id
                --client-secret-file --redirect-uri --scopes --no-browser --timeout --ca-file
                --allow-http --insecure-storage --json --help" ;;
        status) options="--json --show-token --help" ;;
        doctor) options="--json --help" ;;
        git-credential)
            [[ $cur == -* ]] || { COMPREPLY=($(compgen -W "get store erase" -- "$cur")); return 0; } ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ $command != git-credential ]]; then
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$(_bkt_auth_hosts)" -- "$cur"))
    fi
    return 0
}

complete -F _bkt_auth bkt-auth
