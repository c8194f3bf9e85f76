"""`socsec user`: accounts of the web service (add, passwd, role, list, remove, token).

Passwords are read from a hidden prompt (asked twice) or, for scripts, from the first line of
stdin with ``--password-stdin``; never from an argument (it would sit in the shell history
and the process list). An API token is printed once, when it is made.

Exit codes: 0 done; 2 usage (no terminal to prompt on and no --password-stdin); 4 no such
user or token; 5 invalid input (bad name, short password, name taken).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from socsec.accounts.model import Role
from socsec.cli.options import JsonOpt
from socsec.cli.output import table
from socsec.cli.state import CliState, get_state
from socsec.workspace import Workspace

app = typer.Typer(
    help="Users of the web service: roles, passwords, API tokens.", no_args_is_help=True
)
token_app = typer.Typer(
    help="API tokens for scripts (Authorization: Bearer).", no_args_is_help=True
)
app.add_typer(token_app, name="token")

NameArg = Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ -).")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]
RoleOpt = Annotated[Role, typer.Option("--role", help="reader, editor or admin.")]


def _ws(state: CliState) -> Workspace:
    # Accounts need only the data dir: no thesaurus or bibliography set-up on first use.
    settings = state.settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Workspace(root=settings.data_dir, settings=settings)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise typer.BadParameter(
            "stdin is not a terminal: give --password-stdin and the password on stdin"
        )
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return text


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    role: RoleOpt = Role.reader,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user with a role (asks for the password).

    Example: socsec user add alice --role editor < password.txt --password-stdin
    """
    from socsec.app.accounts import add_user

    state = get_state(ctx)
    user = add_user(_ws(state), name, _password(password_stdin), role)
    state.out.notice(f"Added {user.name} ({user.role.value}).")


@app.command("passwd")
def passwd(ctx: typer.Context, name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password; their browser sessions end.

    Example: socsec user passwd alice
    """
    from socsec.app.accounts import set_password

    state = get_state(ctx)
    ws = _ws(state)
    set_password(ws, name, _password(password_stdin))
    state.out.notice(f"Password of {name} changed; their sessions ended.")


@app.command("role")
def role(
    ctx: typer.Context,
    name: NameArg,
    new_role: Annotated[Role, typer.Argument(metavar="ROLE", help="reader, editor or admin.")],
) -> None:
    """Change a user's role.

    Example: socsec user role alice admin
    """
    from socsec.app.accounts import set_role

    state = get_state(ctx)
    user = set_role(_ws(state), name, new_role)
    state.out.notice(f"{user.name} is now {user.role.value}.")


@app.command("list")
def list_users(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List users and their roles.

    Example: socsec user list --json
    """
    from socsec.app.accounts import list_users as run

    state = get_state(ctx, json)
    users = run(_ws(state))
    state.out.emit(
        [u.to_json() for u in users],
        lambda: table(("name", "role", "created"), [(u.name, u.role, u.created) for u in users]),
    )


@app.command("remove")
def remove(ctx: typer.Context, name: NameArg) -> None:
    """Remove a user, their API tokens and sessions (history keeps their name).

    Example: socsec user remove alice
    """
    from socsec.app.accounts import remove_user

    state = get_state(ctx)
    user = remove_user(_ws(state), name)
    state.out.notice(f"Removed {user.name}.")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    user: NameArg,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    json: JsonOpt = False,
) -> None:
    """Make an API token for a user and print it, once (only its hash is kept).

    Example: socsec user token create alice --name harvester
    """
    from socsec.app.accounts import create_token

    state = get_state(ctx, json)
    info, token = create_token(_ws(state), user, name)
    if state.out.is_json:
        state.out.data({**info.to_json(), "token": token})
    else:
        state.out.line(token)
    state.out.hint(f"Token {info.id} for {info.user}: shown once, store it now.")


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    json: JsonOpt = False,
) -> None:
    """List API tokens (never the tokens themselves): owner, name, last use, revoked.

    Example: socsec user token list alice --json
    """
    from socsec.app.accounts import list_tokens

    state = get_state(ctx, json)
    tokens = list_tokens(_ws(state), user)
    rows = [(t.id, t.user, t.name, t.created, t.last_used or "", t.revoked or "") for t in tokens]
    state.out.emit(
        [t.to_json() for t in tokens],
        lambda: table(("id", "user", "name", "created", "last used", "revoked"), rows),
    )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (token list).")],
) -> None:
    """Revoke an API token: it stops working at once.

    Example: socsec user token revoke 3
    """
    from socsec.app.accounts import revoke_token

    state = get_state(ctx)
    info = revoke_token(_ws(state), token_id)
    state.out.notice(f"Revoked token {info.id} ({info.name}) of {info.user}.")
