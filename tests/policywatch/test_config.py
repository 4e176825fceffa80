from __future__ import annotations

from pathlib import Path

import pytest
from policywatch.transforms.errors import ConfigError

from policywatch.config import load_settings


def test_defaults():
    settings = load_settings()
    assert settings.db.path == Path("data/policywatch.duckdb")


def test_lookup_order_file_then_environment_then_shortcut_then_option(tmp_path, monkeypatch):
    config = tmp_path / "pw.toml"
    config.write_text('[db]\npath = "from-file.duckdb"\nlock_timeout_s = 7\n[archive]\nbatch_size = 50\n')
    assert load_settings(config).db.path == Path("from-file.duckdb")
    monkeypatch.setenv("POLICYWATCH__DB__PATH", "from-env.duckdb")
    settings = load_settings(config)
    assert settings.db.path == Path("from-env.duckdb")
    assert settings.db.lock_timeout_s == 7  # the file's other keys in the same section survive
    assert settings.archive.batch_size == 50
    monkeypatch.setenv("POLICYWATCH_DB", "shortcut.duckdb")
    assert load_settings(config).db.path == Path("shortcut.duckdb")
    assert load_settings(config, db=Path("option.duckdb")).db.path == Path("option.duckdb")


def test_config_file_from_environment_and_default_location(tmp_path, monkeypatch):
    (tmp_path / "policywatch.toml").write_text('[db]\npath = "cwd.duckdb"\n')
    assert load_settings().db.path == Path("cwd.duckdb")  # tests run in tmp_path
    other = tmp_path / "other.toml"
    other.write_text('[db]\npath = "named.duckdb"\n')
    monkeypatch.setenv("POLICYWATCH_CONFIG", str(other))
    assert load_settings().db.path == Path("named.duckdb")


def test_invalid_toml_names_the_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[db]\npath = "x.duckdb"\nlock_timeout_s = = 3\n')
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 3"):
        load_settings(config)


def test_wrong_type_names_the_setting_and_its_variable(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[archive]\nbatch_size = 0\n")
    with pytest.raises(ConfigError, match=r"archive\.batch_size.*POLICYWATCH__ARCHIVE__BATCH_SIZE"):
        load_settings(config)


def test_unknown_setting_is_refused(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[db]\npaht = 'typo.duckdb'\n")
    with pytest.raises(ConfigError, match=r"db\.paht"):
        load_settings(config)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_bad_environment_value(monkeypatch):
    monkeypatch.setenv("POLICYWATCH__DB__LOCK_TIMEOUT_S", "soon")
    with pytest.raises(ConfigError, match=r"db\.lock_timeout_s"):
        load_settings()
