from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trellis.core.permissions import Role
from trellis.core.services import audit_log


class Command(BaseCommand):
    help = "Create (or promote) an L&D admin account; --superuser also opens Django's admin site."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Email address (for password resets)")
        parser.add_argument(
            "--password",
            help="Password (prompted for when omitted; env TRELLIS_ADMIN_PASSWORD also works)",
        )
        parser.add_argument(
            "--superuser", action="store_true", help="Also make the account a Django superuser"
        )

    def handle(
        self,
        *args: Any,
        username: str,
        email: str,
        password: str | None,
        superuser: bool,
        **options: Any,
    ) -> None:
        import os

        password = password or os.environ.get("TRELLIS_ADMIN_PASSWORD")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None and not password:
            if not self.stdin_isatty():
                raise CommandError("password: give --password or set TRELLIS_ADMIN_PASSWORD")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("password: the two passwords differ")
        with transaction.atomic():
            created = user is None
            if created:
                user = User(username=username, email=email)
            if password:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError("password: " + " ".join(exc.messages)) from exc
                user.set_password(password)
            if email:
                user.email = email
            if superuser:
                user.is_staff = user.is_superuser = True
            user.save()
            user.groups.add(Group.objects.get_or_create(name=Role.LD_ADMIN.value)[0])
            audit_log(
                actor=None,
                code="trellis.admin.created" if created else "trellis.admin.promoted",
                target=user,
                data={"superuser": superuser},
            )
        self.stdout.write(
            self.style.SUCCESS(f"{'Created' if created else 'Updated'} L&D admin {username}.")
        )

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
