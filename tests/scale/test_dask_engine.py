"""``--engine dask`` gives the local engine's result: same bytes row for row, same risk, same manifest.

A 2-worker LocalCluster (processes, one thread each) is started once for the module.
Expected values come from the local engine run on the same input and key, from hashlib
over the written parts, and from a plain scan of the tmp folder for leftovers.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from anonymizer.engine.distributed import sanitize_dask  # noqa: E402
from anonymizer.engine.sanitize import SanitizeOptions, sanitize  # noqa: E402
from anonymizer.errors import InputError, UsageError  # noqa: E402

from .conftest import KEY, POLICY  # noqa: E402

BATCH = 250


@pytest.fixture(scope="module")
def scheduler():
    import logging

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
    yield cluster.scheduler_address
    cluster.close()


def _opts(policy: Path, **kw) -> SanitizeOptions:
    return SanitizeOptions(policy_path=policy, key=KEY, batch_rows=BATCH, rescan=False, **kw)


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*"))


def _same_manifest(a: dict, b: dict) -> None:
    """Equal except timings, the output's digest/name (a folder of parts vs one file) and the key
    fingerprint's salt (a fresh one per release: both must match the key)."""
    from anonymizer.keys import fingerprint_matches

    assert set(a) == set(b)
    assert fingerprint_matches(KEY, a["key_fingerprint"]) and fingerprint_matches(KEY, b["key_fingerprint"])
    for k in a:
        if k in ("timings_s", "output", "key_fingerprint"):
            continue
        assert a[k] == b[k], k
    for k in ("rows", "columns", "format"):
        assert a["output"][k] == b["output"][k], k


@pytest.fixture(scope="module")
def local_csv(tmp_path_factory, inputs):
    out = tmp_path_factory.mktemp("local") / "safe.csv"
    return sanitize(inputs["csv"], out, _opts(inputs["policy"]))


@pytest.mark.slow  # the first tasks pay the workers' imports (pandas, faker, presidio)
def test_csv_same_bytes_same_risk_same_manifest(inputs, local_csv, scheduler, tmp_path):
    out = tmp_path / "safe.csv"
    seen: list[str] = []
    res = sanitize_dask(inputs["csv"], out, _opts(inputs["policy"]), scheduler=scheduler, progress=seen.append)
    assert res.released and res.output == out and out.is_dir()
    parts = _parts(out)
    assert len(parts) == 3  # 600 rows / 250 per partition
    # byte for byte: the local file is the first part plus the others without their header line
    local = local_csv.output.read_bytes()
    header = local.split(b"\n", 1)[0] + b"\n"
    blob = b"".join(p.read_bytes()[len(header):] if i else p.read_bytes() for i, p in enumerate(parts))
    assert all(p.read_bytes().startswith(header) for p in parts)
    assert blob == local
    _same_manifest(local_csv.manifest, res.manifest)
    # the output digest names every part (sha256sum lines), each checked with hashlib here
    listed = res.manifest["output"]["parts"]
    assert [p["name"] for p in listed] == [p.name for p in parts]
    assert [p["sha256"] for p in listed] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in parts]
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in parts)
    assert res.manifest["output"]["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert res.manifest["input"]["sha256"] == hashlib.sha256(inputs["csv"].read_bytes()).hexdigest()
    assert json.loads(res.risk_json.read_text()) == json.loads(local_csv.risk_json.read_text())
    assert json.loads(res.manifest_path.read_text()) == res.manifest
    # progress per partition, for every pass
    for label in ("pass 1/3", "pass 2/3", "pass 3/3"):
        assert f"{label}" in " ".join(seen) and any(s.endswith("partition 3/3") and s.startswith(label) for s in seen)


def test_parquet_and_folder_inputs_give_the_local_values(inputs, scheduler, tmp_path):
    local = sanitize(inputs["parquet"], tmp_path / "local.parquet", _opts(inputs["policy"]))
    want = pd.read_parquet(local.output)
    for name, src in (("file", inputs["parquet"]), ("folder", inputs["folder"])):
        out = tmp_path / f"{name}.parquet"
        res = sanitize_dask(src, out, _opts(inputs["policy"]), scheduler=scheduler)
        got = pd.concat([pd.read_parquet(p) for p in _parts(out)], ignore_index=True)
        pd.testing.assert_frame_equal(got, want)
        assert res.manifest["privacy"] == local.manifest["privacy"]
        assert res.manifest["columns"] == local.manifest["columns"]
        assert res.manifest["risk"] == local.manifest["risk"]
    assert res.manifest["input"]["files"] == 3


def test_csv_parts_from_parquet_input(inputs, scheduler, tmp_path):
    """--to csv: parts in CSV; the values are the local engine's CSV output's."""
    local = sanitize(inputs["parquet"], tmp_path / "local.csv", _opts(inputs["policy"], out_format="csv"))
    res = sanitize_dask(inputs["parquet"], tmp_path / "out", _opts(inputs["policy"], out_format="csv"),
                        scheduler=scheduler)
    got = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in _parts(res.output)], ignore_index=True)
    want = pd.read_csv(local.output, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want)


def _broken_input(tmp_path: Path, frame: pd.DataFrame) -> Path:
    """A CSV whose last partition holds a ragged row (one field too many)."""
    path = tmp_path / "in" / "extract.csv"
    path.parent.mkdir()
    text = frame.to_csv(sep=";", index=False)
    head, last = text.rstrip("\n").rsplit("\n", 1)
    path.write_bytes((head + "\n" + last + ";EXTRA\n").encode("cp1252"))
    return path


def test_a_failed_partition_publishes_nothing(frame, scheduler, tmp_path):
    src = _broken_input(tmp_path, frame)
    pol = json.loads(json.dumps(POLICY))
    pol["privacy"] = {}  # no global pass: the failure happens while the other parts are being written
    policy = tmp_path / "in" / "policy.yaml"
    policy.write_text(yaml.safe_dump(pol))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(InputError) as err:
        sanitize_dask(src, out_dir / "safe.csv", _opts(policy, report=False), scheduler=scheduler)
    assert "ragged" in str(err.value) or "malformed" in str(err.value)
    assert "EXTRA" not in str(err.value)
    assert list(out_dir.iterdir()) == []  # no output, no manifest, no staging folder


def test_refusals(inputs, scheduler, tmp_path):
    out = tmp_path / "safe.csv"
    out.mkdir()
    with pytest.raises(UsageError, match="already exists"):
        sanitize_dask(inputs["csv"], out, _opts(inputs["policy"]), scheduler=scheduler)
    with pytest.raises(InputError, match="input"):
        sanitize_dask(inputs["folder"], inputs["folder"], _opts(inputs["policy"], force=True), scheduler=scheduler)
    with pytest.raises(UsageError, match="key"):
        sanitize_dask(inputs["csv"], tmp_path / "x.csv",
                      SanitizeOptions(policy_path=inputs["policy"], key=None, batch_rows=BATCH), scheduler=scheduler)
    assert not (tmp_path / "x.csv").exists()


def test_force_replaces_an_existing_output(inputs, scheduler, tmp_path):
    out = tmp_path / "safe.csv"
    out.mkdir()
    (out / "stale-part.csv").write_text("old\n")
    res = sanitize_dask(inputs["csv"], out, _opts(inputs["policy"], force=True, report=False), scheduler=scheduler)
    assert res.released and not (out / "stale-part.csv").exists() and len(_parts(out)) == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_engine_dask_equals_engine_local(run_cli, inputs, scheduler, tmp_path):
    env = {"ANON_KEY": KEY.decode()}
    common = ("--policy", inputs["policy"], "--no-rescan", "--no-report", "--format", "json")
    local = run_cli("sanitize", inputs["parquet"], *common, "-o", tmp_path / "local.parquet", env=env)
    dask = run_cli("sanitize", inputs["folder"], *common, "--engine", "dask", "--scheduler", scheduler,
                   "-o", tmp_path / "dask.parquet", env=env)
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    got = pd.concat([pd.read_parquet(p) for p in _parts(tmp_path / "dask.parquet")], ignore_index=True)
    pd.testing.assert_frame_equal(got, pd.read_parquet(tmp_path / "local.parquet"))
    assert json.loads(dask.stdout)["output"]["layout"] == "parts"


def test_cells_suppressed_after_collisions_are_counted_alike(scheduler, tmp_path):
    """A phone column filling 95 % of the mobile fiction range: most fakes land on a real number and
    are suppressed after the re-draws. Both engines empty the same cells and say how many."""
    n = 9_500
    frame = pd.DataFrame({"NUMALLOC": [f"{1_000_000 + i}" for i in range(n)],
                          "TELPORT": [f"06 39 98 {i // 100:02d} {i % 100:02d}" for i in range(n)],
                          "SEXE": ["1", "2"] * (n // 2)})
    src = tmp_path / "phones.csv"
    frame.to_csv(src, sep=";", index=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump({
        "version": 1, "profile": "training", "strict": True, "person_id": ["NUMALLOC"],
        "privacy": {"quasi_identifiers": ["SEXE"]},
        "columns": {"NUMALLOC": {"role": "identifier", "entity": "CAF_NUMBER", "action": "pseudonymize"},
                    "TELPORT": {"role": "identifier", "entity": "PHONE", "action": "fake"},
                    "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"}}}), encoding="utf-8")
    opts = SanitizeOptions(policy_path=policy, key=KEY, batch_rows=4_000, rescan=False, report=False)
    local = sanitize(src, tmp_path / "local.csv", opts)
    res = sanitize_dask(src, tmp_path / "dask.csv", opts, scheduler=scheduler)
    want = pd.read_csv(local.output, sep=";", dtype=str, keep_default_na=False)
    got = pd.concat([pd.read_csv(p, sep=";", dtype=str, keep_default_na=False) for p in _parts(res.output)],
                    ignore_index=True)
    pd.testing.assert_frame_equal(got, want)
    emptied = int((want["TELPORT"] == "").sum())
    assert emptied > n // 2  # 0.95 ** (1 + 3 re-draws) = 81 % expected
    assert local.manifest["columns"]["TELPORT"]["suppressed_after_collisions"] == emptied
    _same_manifest(local.manifest, res.manifest)


def test_names_are_redrawn_against_the_identities_of_every_partition(scheduler, tmp_path):
    """Rows 400-599 are really called what rows 0-199 are first faked to: the partition faking
    rows 0-199 must know the names of another partition (the name index is gathered from all)."""
    import random

    from faker.providers.person.fr_FR import Provider as Person

    from anonymizer.policy.plan import build_plan
    from anonymizer.transform.apply import apply_plan

    rnd = random.Random(7)
    head = pd.DataFrame({"NUMALLOC": [f"{1_000_000 + i}" for i in range(400)],
                         "NOMFAM": [rnd.choice(Person.last_names).upper() for _ in range(400)],
                         "PRENOM": [rnd.choice(Person.first_names_male) for _ in range(400)],
                         "SEXE": ["1"] * 400})
    columns = {"NUMALLOC": {"role": "identifier", "entity": "CAF_NUMBER", "action": "pseudonymize"},
               "NOMFAM": {"role": "identifier", "entity": "LAST_NAME", "action": "fake"},
               "PRENOM": {"role": "identifier", "entity": "FIRST_NAME", "action": "fake"},
               "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"}}
    policy = {"version": 1, "profile": "training", "strict": True, "person_id": ["NUMALLOC"],
              "privacy": {"quasi_identifiers": ["SEXE"]}, "columns": columns}
    first = apply_plan(head.iloc[:200], build_plan(list(head.columns), policy), key=KEY)
    tail = first.assign(NUMALLOC=[f"{2_000_000 + i}" for i in range(200)])
    frame = pd.concat([head, tail], ignore_index=True)
    src = tmp_path / "names.csv"
    frame.to_csv(src, sep=";", index=False)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    opts = SanitizeOptions(policy_path=path, key=KEY, batch_rows=BATCH, rescan=False, report=False)
    local = sanitize(src, tmp_path / "local.csv", opts)
    res = sanitize_dask(src, tmp_path / "dask.csv", opts, scheduler=scheduler)
    want = pd.read_csv(local.output, sep=";", dtype=str, keep_default_na=False)
    got = pd.concat([pd.read_csv(p, sep=";", dtype=str, keep_default_na=False) for p in _parts(res.output)],
                    ignore_index=True)
    pd.testing.assert_frame_equal(got, want)
    real = {(p.casefold(), n.casefold()) for p, n in zip(frame["PRENOM"], frame["NOMFAM"], strict=True)}
    assert not {(p.casefold(), n.casefold()) for p, n in zip(got["PRENOM"], got["NOMFAM"], strict=True)} & real
    assert (got["PRENOM"][:200] != first["PRENOM"].to_numpy()).all()  # every one re-drawn
