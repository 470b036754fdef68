"""Command line: `python -m app serve | migrate | create-user | unlock-account | purge-deleted
| new-encryption-key | reencrypt | backup`."""

import argparse
import copy
import getpass
import os
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from app.accounts.models import PROFESSIONAL_ROLES, Role
from app.core.config import PROJECT_ROOT, get_settings
from app.core.errors import Problem


def migrate() -> None:
    """Bring the database named by DATABASE_URL up to the newest schema."""
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")


def _serve(args: argparse.Namespace) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    # uvicorn's own logging, plus the app's loggers (the request log) on the same handler.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["app"] = {"handlers": ["default"], "level": "INFO", "propagate": False}

    get_settings().check_safe_to_start()
    migrate()
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        # Its lines carry whole paths and query strings (crisis card links); the app logs
        # each request itself, with tokens left out.
        access_log=False,
        log_config=log_config,
    )


def _create_user(args: argparse.Namespace) -> None:
    from pydantic import ValidationError
    from sqlmodel import Session

    from app.accounts.schemas import ProfessionalAccount
    from app.accounts.service import create_user
    from app.core.db import build_engine

    password = os.environ.get("NEW_USER_PASSWORD") or getpass.getpass("Password for the account: ")
    try:
        details = ProfessionalAccount(
            email=args.email,
            password=password,
            display_name=args.name,
            organisation=args.organisation,
        )
    except ValidationError as error:
        sys.exit(
            "\n".join(
                f"{'.'.join(map(str, problem['loc'])) or 'account'}: {problem['msg']}"
                for problem in error.errors()
            )
        )
    if args.role != Role.person and not args.organisation:
        sys.exit("A professional account needs --organisation.")
    engine = build_engine(get_settings().database_url)
    with Session(engine) as session:
        try:
            user = create_user(
                session,
                email=details.email,
                password=details.password,
                display_name=details.display_name,
                role=Role(args.role),
                organisation=details.organisation,
            )
        except Problem as problem:
            sys.exit(problem.detail)
        print(f"Created {user.role} account {user.email} ({user.id})")


def _unlock_account(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.accounts.service import unlock
    from app.core.db import build_engine

    with Session(build_engine(get_settings().database_url)) as session:
        cleared = unlock(session, args.email)
    if cleared:
        print(f"Unlocked {args.email}: its failed sign-ins are forgotten.")
    else:
        print(f"{args.email} was not locked and had no failed sign-ins.")


def _new_encryption_key(_args: argparse.Namespace) -> None:
    from app.core.encryption import new_key_text

    print(new_key_text())


def _reencrypt(_args: argparse.Namespace) -> None:
    from sqlmodel import SQLModel

    import app.models  # noqa: F401  (every table on the metadata)
    from app.core.db import build_engine
    from app.core.encryption import active_keyring, reencrypt_everything, use_keyring_of

    settings = get_settings()
    settings.check_safe_to_start()
    use_keyring_of(settings)
    engine = build_engine(settings.database_url)
    rewritten = 0
    with engine.connect() as connection:
        # A commit per batch: stopping part-way loses nothing, and running again goes on.
        for batch_rewritten in reencrypt_everything(connection, SQLModel.metadata):
            connection.commit()
            rewritten += batch_rewritten
    engine.dispose()
    print(f"Re-encrypted {rewritten} values under key {active_keyring().current_key_id}")


def _purge_deleted(_args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.core.db import build_engine
    from app.plans.service import purge_deleted_plans

    settings = get_settings()
    with Session(build_engine(settings.database_url)) as session:
        purged = purge_deleted_plans(session, settings.deleted_plan_retention_days)
    print(
        f"Purged {purged} plans deleted more than {settings.deleted_plan_retention_days} days ago"
    )


def _backup(args: argparse.Namespace) -> None:
    from app.core.backup import backup_sqlite, sqlite_path

    database = sqlite_path(get_settings().database_url)
    if database is None:
        sys.exit(
            "DATABASE_URL is not a SQLite file. On PostgreSQL back up with "
            "pg_dump --format=custom (see docs/operations.md)."
        )
    try:
        backup_sqlite(database, args.file)
    except (FileExistsError, FileNotFoundError) as problem:
        sys.exit(str(problem))
    print(f"Backed up {database} to {args.file}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations, then serve the app and PWA")
    serve.add_argument("--host", default=get_settings().host)
    serve.add_argument("--port", type=int, default=get_settings().port)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    serve.set_defaults(run=_serve)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(
        run=lambda _args: migrate()
    )

    create = commands.add_parser(
        "create-user",
        help="create an account; professionals (link worker, clinician, ...) need a role "
        "and organisation. The password is read from NEW_USER_PASSWORD or asked for.",
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument(
        "--role",
        choices=[r.value for r in Role],
        default=Role.person.value,
        help="professional roles: " + ", ".join(sorted(PROFESSIONAL_ROLES)),
    )
    create.add_argument("--organisation")
    create.set_defaults(run=_create_user)

    unlock_account = commands.add_parser(
        "unlock-account",
        help="end a sign-in lockout now and forget the email's failed sign-ins",
    )
    unlock_account.add_argument("--email", required=True)
    unlock_account.set_defaults(run=_unlock_account)

    commands.add_parser(
        "purge-deleted", help="remove plans deleted longer ago than the restore window"
    ).set_defaults(run=_purge_deleted)

    commands.add_parser(
        "new-encryption-key", help="print a new random key for ENCRYPTION_KEY"
    ).set_defaults(run=_new_encryption_key)

    commands.add_parser(
        "reencrypt",
        help="rewrite every encrypted value under ENCRYPTION_KEY (after moving the old key "
        "to ENCRYPTION_PREVIOUS_KEYS); safe to stop and to run again",
    ).set_defaults(run=_reencrypt)

    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to a new file while the app runs (PostgreSQL: "
        "pg_dump, see docs/operations.md)",
    )
    backup.add_argument("file", type=Path, help="where to write the copy (must not exist)")
    backup.set_defaults(run=_backup)

    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
