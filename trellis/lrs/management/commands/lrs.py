"""``trellis lrs …``: manage the learning record store from the command line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from trellis.lrs.clients import lrs_client_create, lrs_client_revoke
from trellis.lrs.models import LrsClient

SCOPE_HELP = "; ".join(f"{code}: {label}" for code, label in LrsClient.SCOPES)


class Command(BaseCommand):
    help = (
        "Manage the learning record store (xAPI). "
        "'client create' makes credentials for an xAPI tool (the secret is printed once), "
        "'client list' lists them, 'client revoke KEY' revokes one, "
        "'reproject' rebuilds the progress projection from the stored statements."
    )

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(
            dest="command", required=True, metavar="{client,reproject}"
        )
        client = commands.add_parser(
            "client",
            help="LRS client credentials (HTTP Basic key and secret for xAPI tools)",
            description="LRS client credentials: create, list, revoke.",
        )
        client_commands = client.add_subparsers(
            dest="client_command", required=True, metavar="{create,list,revoke}"
        )
        create = client_commands.add_parser(
            "create",
            help="Create a client and print its key and secret (the secret is shown once)",
            description="Create an LRS client. Its key and secret are printed once; only a hash "
            "of the secret is stored.",
        )
        create.add_argument("--name", required=True, help="What uses these credentials")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            metavar="SCOPE",
            help=f"A scope (repeat for several). {SCOPE_HELP}",
        )
        create.add_argument(
            "--user",
            metavar="USERNAME",
            help="The person the client acts for (their statements' authority names them too)",
        )
        client_commands.add_parser(
            "list",
            help="List every client: key, name, scopes, who it acts for, last use, state",
            description="List the LRS clients.",
        )
        revoke = client_commands.add_parser(
            "revoke",
            help="Revoke a client: its credentials stop working at once",
            description="Revoke an LRS client by its key.",
        )
        revoke.add_argument("key", help="The client's key (its Basic-auth username)")
        # ---- trellis lrs reproject: provided by the projection (trellis.lrs.projection.reproject_all)
        commands.add_parser(
            "reproject",
            help="Rebuild the progress projection from every stored statement (same rows every time)",
            description="Rebuild the progress projection from scratch.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "reproject":
            self._reproject()
            return
        sub = options["client_command"]
        if sub == "create":
            self._create(name=options["name"], scopes=options["scopes"], username=options["user"])
        elif sub == "list":
            self._list()
        else:
            self._revoke(key=options["key"])

    def _create(self, *, name: str, scopes: list[str], username: str | None) -> None:
        user = None
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"--user: no active user {username!r}")
        try:
            lrs_client, secret = lrs_client_create(
                name=name, scopes=scopes, user=user, created_by=None
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created LRS client {lrs_client.name}."))
        self.stdout.write(f"key:    {lrs_client.key}")
        self.stdout.write(f"secret: {secret}")
        self.stdout.write("The secret is shown once; only its hash is stored.")

    def _list(self) -> None:
        clients = LrsClient.objects.select_related("user").order_by("name", "id")
        if not clients:
            self.stdout.write("No LRS clients.")
            return
        for c in clients:
            state = "revoked" if c.revoked_at else "active"
            used = c.last_used_at.strftime("%Y-%m-%d %H:%M") if c.last_used_at else "never"
            user = c.user.username if c.user else "-"
            self.stdout.write(
                f"{c.key}  {c.name}  scopes={','.join(c.scopes)}  user={user}  last used={used}  {state}"
            )

    def _revoke(self, *, key: str) -> None:
        lrs_client = LrsClient.objects.filter(key=key).first()
        if lrs_client is None:
            raise CommandError(f"key: no LRS client {key!r}")
        lrs_client_revoke(client=lrs_client, actor=None)
        self.stdout.write(self.style.SUCCESS(f"Revoked LRS client {lrs_client.name} ({key})."))

    def _reproject(self) -> None:
        # The projection engineer provides trellis.lrs.projection.reproject_all(stdout=...).
        try:
            from trellis.lrs.projection import reproject_all
        except ImportError:
            raise CommandError("reproject: the progress projection is not available yet.") from None
        reproject_all(stdout=self.stdout)
