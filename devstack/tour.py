"""What `make run` prints once everything is ready: where things are and what to try."""

from common.auth import mint
from common.config import load


def print_tour(stack, local, token: str, loaded: dict | None, elapsed: float,
               people: list[tuple[str, str, str]] = ()) -> None:
    settings = load("devstack")
    viewer = mint(settings.jwt_secret, "local-viewer", ["viewer"], settings.jwt_max_ttl_s,
                  settings.jwt_audience, settings.jwt_issuer, settings.jwt_max_ttl_s)
    reg, ses, notes = (stack.urls[s] for s in ("registration", "sessions", "notifications"))
    print(f"\n==> ready in {elapsed:.0f}s\n")
    for name, url in stack.urls.items():
        print(f"  {name:<14} {url}   docs {url}/docs   events {url}/asyncapi.json")
    print(f"\n  Kafka {local.kafka_bootstrap}   MongoDB wire {local.mongo_uri}   "
          f"SMTP {local.smtp_host}:{local.smtp_port}")
    if local.smtp_http_url:
        print(f"  received mail: {local.smtp_http_url}/messages")
    print(f"  logs: {stack.log_dir}\n")
    print("  Tokens (12 h): a coordinator's and a viewer's (the viewer sees indicators only):\n")
    print(f"  export TOKEN={token}")
    print(f"  export VIEWER={viewer}\n")
    if loaded and "first_session_id" in loaded:
        first, series = loaded["first_session_id"], loaded["series_id"]
        programme = loaded["programme_id"]
        print("  The press-release scenario is loaded (fictional names). Try:\n")
        print("  # the first coaching session: 24 women, FIA 18, Punjab Police 6, 2 days, 100%,"
              " session 1 of 3, next in July 2021")
        print(f"  curl -s {ses}/sessions/{first}/indicators -H \"Authorization: Bearer $VIEWER\"")
        print("  # the same as CSV, cells under 10 suppressed for publication")
        print(f"  curl -s '{ses}/sessions/{first}/indicators?format=csv&min_cell=10' "
              "-H \"Authorization: Bearer $VIEWER\"")
        print("  # retention through the series, and the whole programme")
        print(f"  curl -s {ses}/series/{series}/indicators -H \"Authorization: Bearer $VIEWER\"")
        print(f"  curl -s {ses}/programmes/{programme}/indicators "
              "-H \"Authorization: Bearer $VIEWER\"")
        print("  # what officers said (quotable comments only), and the roster")
        print(f"  curl -s {ses}/sessions/{first}/quotes -H \"Authorization: Bearer $TOKEN\"")
        print("  # the donor's report (HTML; ?format=pdf for the PDF, &min_cell=10 suppresses)")
        print(f"  curl -s {ses}/programmes/{programme}/report -H \"Authorization: Bearer $VIEWER\"")
        print(f"  curl -s '{ses}/series/{series}/report?format=pdf' -o report.pdf "
              "-H \"Authorization: Bearer $VIEWER\"")
        print("  # the workshop's certificates (each emailed as a PDF; verify a code without"
              " a token)")
        print(f"  curl -s '{ses}/certificates?course_id={loaded['workshop_id']}' "
              "-H \"Authorization: Bearer $TOKEN\"")
        print(f"  curl -s {ses}/certificates/CODE")
        print("  # seats and waiting list as registration sees them; the enrollments")
        print(f"  curl -s {reg}/sessions/{first} -H \"Authorization: Bearer $TOKEN\"")
        print(f"  curl -s '{reg}/enrollments?session_id={first}' "
              "-H \"Authorization: Bearer $TOKEN\"")
        print("  # every message sent: confirmations, invitations, in English or Urdu")
        print(f"  curl -s '{notes}/notifications?page_size=5' -H \"Authorization: Bearer $TOKEN\"")
    elif loaded:
        print("  The demo was loaded before; its programme id is "
              f"{loaded['programme_id']} (GET {ses}/programmes).")
    else:
        print("  Started empty (--empty). Register an officer:\n")
        print(f"  curl -s -X POST {reg}/participants -H \"Authorization: Bearer $TOKEN\" "
              "-H 'Content-Type: application/json' \\\n"
              "    -d '{\"given_name\":\"Ayesha\",\"family_name\":\"Khan\",\"gender\":\"female\","
              "\"agency\":\"Federal Investigation Agency\",\"email\":\"ayesha@example.org\","
              "\"consent\":{\"policy_version\":\"2021-01\",\"given_at\":\"2021-03-01T09:00:00Z\"}}'")
    _print_console(stack, people)
    print("\n  Ctrl-C stops everything.")


def _print_console(stack, people) -> None:
    if not stack.console_url:
        return
    print(f"\n  The console: {stack.console_url}   sign in as (passwords new at each start):\n")
    for email, role, password in people:
        print(f"    {role:<12} {email:<28} {password}")
