"""``callcenter queues`` prints every queue's live statistics."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from config.cli import cli


def test_queues_table(redis_url: str, prefix: str, tmp_path: Path) -> None:
    config = tmp_path / "callcenter.toml"
    config.write_text(
        f'redis_url = "{redis_url}"\nredis_prefix = "{prefix}"\n'
        '[[queues]]\nid = "billing"\nskills = { billing = 3 }\n'
        '[[queues]]\nid = "general"\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "queues"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "billing" in result.output and "general" in result.output and "SL 15m" in result.output


def test_queues_without_redis_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "callcenter.toml"
    config.write_text(f'var_dir = "{tmp_path / "var"}"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "queues"])
    assert result.exit_code == 2
    assert "redis_url" in result.output
