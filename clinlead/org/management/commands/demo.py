import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.frontend import FrontendError, ensure_assets
from clinlead.org import demo_data as D
from clinlead.org.demo import DemoGenerator, add_feature_demo_data
from clinlead.org.models import Organisation

DEMO_SLUGS = {slug for slug, _, _ in D.TRUSTS}


class Command(BaseCommand):
    help = "Set up the demo organisation (once; --reset rebuilds it) and serve Clinlead."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--reset", action="store_true", help="delete the demo data and build it again")
        parser.add_argument("--staff", type=int, default=3000, help="number of staff to generate (default 3000)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")

    def handle(self, *args, port, reset, staff, seed, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            ensure_assets(log=self.stdout.write)
        except FrontendError as exc:
            raise CommandError(str(exc)) from exc
        existing = set(Organisation.objects.values_list("slug", flat=True))
        if reset and existing:
            if existing - DEMO_SLUGS:
                raise CommandError("This database holds organisations that are not the demo's; --reset refuses to touch it.")
            call_command("flush", interactive=False, verbosity=0)
            existing = set()
        if DEMO_SLUGS & existing:
            self.stdout.write("The demo organisation is already loaded (use --reset to rebuild it).")
        else:
            self.load(staff=staff, seed=seed)
        self.print_logins(port)
        if not no_serve:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def load(self, *, staff, seed):
        self.stdout.write(f"Building the demo organisation: {staff:,} staff (seed {seed}) ...")
        generator = DemoGenerator(staff=staff, seed=seed).build()
        bar = tqdm(total=len(generator.rows), unit=" people", file=sys.stderr, disable=not sys.stderr.isatty())
        with actions.atomic():
            world = generator.write(progress=bar.update)
            add_feature_demo_data(world=world, generator=generator)
            audit.record(actor=None, action="demo.loaded", after={"staff": staff, "seed": seed})
        bar.close()
        self.stdout.write(f"Loaded {len(generator.rows):,} staff, {len(generator.units):,} units and "
                          f"{len(generator.positions):,} positions in {len(world.organisations)} trusts.")

    def print_logins(self, port):
        self.stdout.write(f"\nClinlead demo: http://127.0.0.1:{port}/  — password for every login: {D.DEMO_PASSWORD}")
        for username, role, description in D.PERSONAS:
            self.stdout.write(f"  {username:<8} {role:<17} {description}")
        from clinlead.custody import demo_note

        self.stdout.write(f"\n{demo_note()}")
        self.stdout.write("")
