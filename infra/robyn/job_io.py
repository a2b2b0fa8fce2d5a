"""Where the runner reads its inputs and writes its outputs: file:// URIs, and gs:// URIs when
google-cloud-storage is importable (it is optional and not installed by setup-tools.sh).

Outputs are always written to a local folder first; for a gs:// output the folder is mirrored to
the bucket as files appear (progress.ndjson included), so followers see progress while it runs."""
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse


class JobInputError(Exception):
    """A problem with the job's config or input that retrying cannot fix (exit code 2)."""


def _split_gs(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


def _gcs_bucket(name: str):
    try:
        from google.cloud import storage  # type: ignore
    except ImportError as err:
        raise JobInputError("gs:// URIs need the google-cloud-storage package in the runner image") from err
    return storage.Client().bucket(name)


def _local_path(uri: str) -> Path:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "":
        return Path(uri)
    raise JobInputError(f"unsupported URI scheme in {uri!r} (use file:// or gs://)")


def env_uri(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise JobInputError(f"environment variable {name} is required (a file:// or gs:// URI)")
    return value


def fetch(uri: str, scratch: Path) -> Path:
    """A local path holding the object at `uri` (downloaded into scratch for gs://)."""
    if uri.startswith("gs://"):
        bucket, key = _split_gs(uri)
        target = scratch / f"{len(list(scratch.iterdir()))}-{Path(key).name}"  # config and input may share a name
        _gcs_bucket(bucket).blob(key).download_to_filename(str(target))
        return target
    path = _local_path(uri)
    if not path.is_file():
        raise JobInputError(f"{uri} does not exist or is not a file")
    return path


class OutputFolder:
    """The job's output folder. `path` is local; `publish()` mirrors changed files to gs://."""

    def __init__(self, uri: str):
        self.uri = uri.rstrip("/")
        self._gs = _split_gs(self.uri) if self.uri.startswith("gs://") else None
        self.path = Path(tempfile.mkdtemp(prefix="robyn-out-")) if self._gs else _local_path(self.uri)
        self.path.mkdir(parents=True, exist_ok=True)
        self._bucket = _gcs_bucket(self._gs[0]) if self._gs else None

    def write_json(self, name: str, value: object) -> None:
        tmp = self.path / f".{name}.tmp"
        tmp.write_text(json.dumps(value, indent=2, allow_nan=False) + "\n")
        tmp.replace(self.path / name)  # readers never see half a file
        self.publish(name)

    def progress(self, fraction: float, message: str) -> None:
        line = json.dumps({"progress": round(min(max(fraction, 0.0), 1.0), 4), "message": message, "at": time.time()})
        with open(self.path / "progress.ndjson", "a", encoding="utf-8") as f:
            f.write(line + "\n")
        self.publish("progress.ndjson")

    def add_file(self, source: Path, name: str) -> None:
        if source.resolve() != (self.path / name).resolve():
            shutil.copyfile(source, self.path / name)
        self.publish(name)

    def publish(self, name: str) -> None:
        if self._bucket is not None:
            prefix = self._gs[1]
            self._bucket.blob(f"{prefix}/{name}" if prefix else name).upload_from_filename(str(self.path / name))
