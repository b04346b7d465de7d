import os
import resource
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Account
from vipdesk.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Create a believable demo company: staff with the demo logins (csm, lead, agent, "
        f"admin / password '{demo.DEMO_PASSWORD}'), accounts in every tier, contacts, agents "
        "and pools, a year of tickets, weekly usage and quarterly NPS history, escalations "
        "and churns. Deterministic for a given --seed. Hidden cause: about 15 %% of accounts "
        "go through one spell of latent trouble with its own onset; as it builds up it "
        "raises their ticket rate, P1/P2 share, churn language and negative wording, "
        "shortens their messages, slows answers and lowers CSAT, usage and NPS, and "
        "silences their champion; after a random lag (10–90 days) it ends in an escalation "
        "or a churn (dated), or calms down (a false alarm). A few escalations come out of "
        "the blue. The risk score's formula is never used to generate data, so "
        "`backtest_risk` measures how well the score reads the symptoms."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=300)
        parser.add_argument("--tickets", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--now",
            help="Pretend it is this ISO 8601 time (for reproducible data); default: now.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count(),
            help="Processes building tickets on PostgreSQL (default: one per core).",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any account exists."
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="First delete all accounts, contacts, tickets, agents, pools, escalations "
            "and the demo staff (policies and other users stay).",
        )

    def handle(self, *args, **options):
        exists = Account.objects.exists()
        if options["if_empty"] and exists:
            self.stdout.write("Accounts exist already: no demo data added.")
            return
        if options["flush"]:
            demo.flush(self.stdout)
        elif exists:
            raise CommandError("The database already has accounts: use --flush or --if-empty.")
        now = None
        if options["now"]:
            now = datetime.fromisoformat(options["now"])
            if timezone.is_naive(now):
                now = timezone.make_aware(now, timezone.UTC)
        company = demo.DemoCompany(
            seed=options["seed"],
            accounts=options["accounts"],
            tickets=options["tickets"],
            now=now,
            workers=options["workers"],
            stdout=self.stdout,
        )
        company.build()
        demo.finish(self.stdout)
        # Each worker's peak counts what it shares with this process too: an upper bound.
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        workers = company.workers_peak_kib // 1024
        self.stdout.write(
            f"Peak memory (RSS): {own:,} MB in this process + {workers:,} MB in its "
            f"workers = {own + workers:,} MB"
        )
