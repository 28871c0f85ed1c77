from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from clinlead.accounts import api_tokens
from clinlead.accounts.management.commands import _roles as args
from clinlead.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Revoke an organisation's API token by its name (docs/api.md); it gets 401 from then on."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="the organisation's short name (slug), e.g. northgate")
        parser.add_argument("name", help="the token's name, as given when it was created")
        parser.add_argument("--by", required=True, metavar="USERNAME",
                            help="the organisation admin (or superuser) revoking it, for the audit trail")

    def handle(self, *_, organisation, name, by, **options):
        org = args.organisation(organisation)
        actor = args.login(by)
        token = ApiToken.objects.filter(organisation=org, name=name, revoked=False).first()
        if token is None:
            raise CommandError(f"{name!r}: no live API token of that name at {org.slug}")
        try:
            api_tokens.revoke_api_token(actor=actor, token=token)
        except PermissionDenied as exc:
            raise CommandError(f"--by {by!r}: {exc}") from None
        self.stdout.write(f"API token {token.name!r} of {org.name} is revoked.")
