from pathlib import Path

from django.core.management import call_command

FIXTURE = Path(__file__).parent / "fixtures" / "exchange_valid"


def test_smoke(db, capsys):
    call_command("import_exchange", str(FIXTURE))
    out = capsys.readouterr().out
    print(out)
    call_command("import_exchange", str(FIXTURE))
    print(capsys.readouterr().out)
    call_command("export_exchange", "/tmp/scratch/out")
    print(capsys.readouterr().out)
    assert 0
