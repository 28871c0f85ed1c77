from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinlead.accounts import api_tokens
from clinlead.accounts.management.commands import _roles as args


class Command(BaseCommand):
    help = ("Create an API token for an organisation (docs/api.md). The token is printed once: "
            "Clinlead keeps only its digest.")

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="the organisation's short name (slug), e.g. northgate")
        parser.add_argument("name", help="what uses the token, e.g. 'Power BI leader index'")
        parser.add_argument("--scope", action="append", required=True, dest="scopes",
                            help=f"repeat for each scope; one of: {', '.join(api_tokens.SCOPES)}")
        parser.add_argument("--by", required=True, metavar="USERNAME",
                            help="the organisation admin (or superuser) creating it, for the audit trail")

    def handle(self, *_, organisation, name, scopes, by, **options):
        org = args.organisation(organisation)
        actor = args.login(by)
        try:
            token, secret = api_tokens.create_api_token(actor=actor, organisation=org, name=name, scopes=scopes)
        except PermissionDenied as exc:
            raise CommandError(f"--by {by!r}: {exc}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"API token {token.name!r} for {org.name}, scopes {', '.join(token.scopes)}.")
        self.stdout.write("Copy it now; it is not shown again:")
        self.stdout.write(secret)
