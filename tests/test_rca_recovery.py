"""pipelines/recovery.py: the confusion table by hand, and one real demo run end to end."""

from devtools.recovery import accuracy_line, confusion_table, main


def test_confusion_table_counts_planted_against_found():
    pairs = [("skill_gap", "skill_gap"), ("skill_gap", "skill_gap"), ("skill_gap", "estimation"),
             ("turnover", "unexplained"), ("estimation", "estimation")]
    lines = confusion_table(pairs).splitlines()
    header = lines[0].split()
    assert header[-2:] == ["total", "correct"] and "unexplained" in header
    rows = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in lines[1:]}
    # columns: the six drivers in docs/kpis.md order, unexplained, total, correct
    assert rows["skill_gap"] == [0, 2, 0, 1, 0, 0, 0, 3, 2]
    assert rows["turnover"] == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert rows["estimation"] == [0, 0, 0, 1, 0, 0, 0, 1, 1]
    assert rows["over_allocation"] == [0] * 9
    line, accuracy = accuracy_line("all", pairs)
    assert accuracy == 3 / 5 and line == "all: found == planted for 3 of 5 failing planted projects (60.0%)"


def test_demo_run_recovers_the_planted_causes(capsys, tmp_path):
    # a demo data set plants 10 causes (a quarter of 40 projects); all fail and are found
    assert main(["--scales", "demo", "--seeds", "1", "--work-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "demo seed 1: found == planted for 10 of 10 failing planted projects (100.0%)" in out
    assert "overall accuracy: found == planted for 10 of 10" in out
    assert (tmp_path / "demo-1" / "truth.csv").exists()
    # the exit status follows the accuracy asked for
    assert main(["--scales", "demo", "--seeds", "1", "--min-accuracy", "1.01",
                 "--work-dir", str(tmp_path)]) == 1
