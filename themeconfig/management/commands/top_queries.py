"""manage.py top_queries: the statements that cost the database most, from pg_stat_statements."""
from django.core.management.base import BaseCommand, CommandError

from themeconfig.platform.query_stats import (
    ORDERS,
    QueryStatsUnavailable,
    format_table,
    reset_statistics,
    top_queries,
)


class Command(BaseCommand):
    help = (
        "Print the top statements of pg_stat_statements for the service's database (calls, total and mean "
        "execution time, rows, share of the time, the normalised query), read through ADMIN_DATABASE_URL "
        "(or --database-url; a superuser or pg_read_all_stats member sees every role's statements). Needs "
        "shared_preload_libraries = 'pg_stat_statements' on the server and the extension in the database; "
        "when either is missing it says so in one line and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10, help="How many statements (default 10).")
        parser.add_argument("--order-by", choices=sorted(ORDERS), default="total",
                            help="total or mean execution time, calls or rows (default total).")
        parser.add_argument("--all-databases", action="store_true", help="Every database's statements, not only ours.")
        parser.add_argument("--database-url", default=None, help="Read here instead (default: ADMIN_DATABASE_URL "
                            "on the service's database).")
        parser.add_argument("--create-extension", action="store_true",
                            help="CREATE EXTENSION pg_stat_statements in the database if it is loaded but missing.")
        parser.add_argument("--reset", action="store_true", help="Empty the statistics after printing them.")
        parser.add_argument("--reset-only", action="store_true", help="Only empty the statistics (before a load test).")
        parser.add_argument("--width", type=int, default=160, help="Line width for the query column (default 160).")

    def handle(self, *args, limit, order_by, all_databases, database_url, create_extension, reset, reset_only, width,
               **options):
        try:
            if reset_only:
                reset_statistics(url=database_url, create_extension=create_extension)
                self.stdout.write("pg_stat_statements reset")
                return
            statements = top_queries(url=database_url, limit=limit, order=order_by, all_databases=all_databases,
                                     create_extension=create_extension, reset=reset)
        except QueryStatsUnavailable as unavailable:
            raise CommandError(str(unavailable)) from None
        self.stdout.write(format_table(statements, width=width))
