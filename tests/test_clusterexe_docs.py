"""docs/clusterexe.md holds exactly the coverage table, the error table and the drill
transcript that labkit.clusterexe.reference generates (regenerate with
``python -m labkit.clusterexe.reference docs/clusterexe.md``)."""
from pathlib import Path

from labkit.clusterexe import reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "clusterexe.md"


def test_the_page_is_up_to_date():
    text = PAGE.read_text(encoding="utf-8")
    assert set(reference.sections(text)) == {"coverage", "errors", "drill"}
    assert reference.render(text) == text, "run: python -m labkit.clusterexe.reference docs/clusterexe.md"


def test_the_drill_shows_a_failover_and_a_refusal():
    t = reference.drill_transcript()
    assert "Moving resource group 'EXVS3'..." in t and "failed over: 3-LARRY is down" in t
    assert "System error 5070 has occurred (0x000013ce)." in t
    assert t.count("C:\\> ") == len(reference.DRILL)


def test_every_command_of_the_issue_is_covered():
    wanted = {("node", o) for o in ("status", "pause", "resume", "evict", "start", "stop")} | \
        {("group", o) for o in ("status", "create", "delete", "moveto", "online", "offline", "setowners",
                                "listowners", "properties")} | \
        {("resource", o) for o in ("status", "create", "delete", "adddependency", "removedependency",
                                   "listdependencies", "addowner", "removeowner", "listowners", "online", "offline",
                                   "fail", "properties", "privproperties")} | \
        {("cluster", "quorumresource"), ("cluster", "properties"), ("cluster", "version"), ("cluster", "list")}
    from labkit.clusterexe.commands import HANDLERS
    assert wanted <= set(HANDLERS)
