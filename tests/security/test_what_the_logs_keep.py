"""No log line of the e2e stacks holds an officer's email, phone or name (issue 7).

Named to run after the other security tests (pytest takes files in order), so the logs it reads
also hold what schemathesis and the injection tests made the services say; and after tests/e2e,
whose stack logs sit beside this one's under the session's temporary directory.
"""

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+[1-9][0-9]{6,14}\b")


def _log_files(stack, tmp_path_factory):
    others = tmp_path_factory.getbasetemp().glob("e2e-logs*/*.log")
    return sorted({*stack.log_dir.glob("*.log"), *others})


def test_no_log_line_holds_an_officers_personal_data(world, stack, tmp_path_factory):
    files = _log_files(stack, tmp_path_factory)
    assert {f.name for f in stack.log_dir.glob("*.log")} >= {
        f"{s}-{p}.log" for s in stack.urls for p in ("api", "worker")}
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            leaked = [v for v in world["personal"] if v.lower() in line.lower()]
            leaked += [m.group(0) for m in (*EMAIL.finditer(line), *PHONE.finditer(line))]
            if leaked:
                found.append(f"{path.name}:{number}: {leaked} in {line[:200]}")
    assert found == []


def test_the_scan_reads_what_the_services_logged(world, stack):
    """The flow's requests are in the logs: an empty or unread log would pass the scan."""
    logged = (stack.log_dir / "registration-api.log").read_text()
    assert '"route": "/participants/<participant_id>/erasure"' in logged
    assert world["participants"][0] not in world["personal"]
