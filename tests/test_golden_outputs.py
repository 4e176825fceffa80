"""What the pipeline makes of the bundled samples is what it made when the outputs were recorded, byte for byte:
the parse and link output of every sample and page fixture, and everything the demo leaves (tables, report pages,
``show`` of each article, the study commands). A change of code that is meant to move code, not to change what it
does, keeps these green. ``tests/golden/produce.py`` says what is normalised and how to record them anew."""

from __future__ import annotations

import difflib

import pytest

from tests.golden.produce import FILES, demo_outputs, golden_files, parse_outputs


def differences(outputs: dict[str, str], prefixes: tuple[str, ...]) -> list[str]:
    """One line per file that differs, is missing, or was never recorded, with the first lines of the diff."""
    recorded = {name: path for name, path in golden_files() if name.startswith(prefixes)}
    found = []
    for name in sorted(set(recorded) | set(outputs)):
        if name not in outputs:
            found.append(f"{name}: recorded, no longer made")
            continue
        if name not in recorded:
            found.append(f"{name}: made, never recorded")
            continue
        expected = recorded[name].read_bytes()
        if outputs[name].encode("utf-8") != expected:
            diff = difflib.unified_diff(
                expected.decode("utf-8").splitlines(), outputs[name].splitlines(), "recorded", "now", lineterm="", n=0
            )
            found.append(f"{name}:\n" + "\n".join(line[:300] for line in list(diff)[:12]))
    return found


def test_the_recorded_files_are_there():
    names = [name for name, _ in golden_files()]
    assert "parse.jsonl" in names and "demo/summary.txt" in names and len(names) > 50, FILES


@pytest.mark.integration
def test_parse_and_link_output_of_the_samples_and_pages_is_unchanged():
    outputs = parse_outputs()
    assert outputs["parse.jsonl"].count("\n") == 17  # the eleven samples and the six page fixtures
    assert differences(outputs, ("parse",)) == []


@pytest.mark.integration
def test_what_the_demo_leaves_is_unchanged(tmp_path):
    assert differences(demo_outputs(tmp_path), ("demo/", "files/")) == []


def test_a_changed_output_is_reported():
    """The comparison sees a changed byte, a file no longer made and a file never recorded."""
    outputs = {name: path.read_text(encoding="utf-8") for name, path in golden_files() if name.startswith("files/")}
    assert differences(outputs, ("files/",)) == []
    outputs["files/study.json"] = outputs["files/study.json"].replace("0", "1", 1)
    del outputs["files/study_log_constant_mean.csv"]
    outputs["files/new.txt"] = "new"
    found = differences(outputs, ("files/",))
    assert [line.split(":")[0] for line in found] == [
        "files/new.txt",
        "files/study.json",
        "files/study_log_constant_mean.csv",
    ]
    assert "-" in found[1] and "+" in found[1]  # the diff's lines
