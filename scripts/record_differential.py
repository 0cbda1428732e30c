#!/usr/bin/env python3
"""Record the differential corpus: generated requests answered by the official SDK.

``tests/_differential.py`` generates, from seeds, workflows and requests full of
dashboard content (Liquid controls, HTML email bodies, in-app data, payloads of
every JSON type). This script serves the workflows with ``@novu/framework``
2.13.2 (``scripts/diff_oracle.mjs``, loopback only), sends every request to it
twice (cases whose two answers differ, e.g. values the SDK mocks at random, are
dropped) and to a Flask app built from the same specs, and writes:

* ``tests/fixtures/differential/corpus.json.gz``: the workflow specs and the
  cases on which Flask-Novu and the SDK agree (asserted by the suite);
* ``tests/fixtures/differential/known.json.gz``: the cases on which they
  disagree, each with its cause (found by shrinking the case against the live
  SDK) and the SDK's recorded answer;
* with ``--reports DIR``: ``liquid.txt``, ``sanitize.txt`` and ``other.txt``,
  the disagreements grouped by cause with a minimal reproducer each.

Usage::

    python scripts/record_differential.py --installed DIR [--seeds 1-8] [--workflows 150]
                                          [--port 4420] [--reports DIR] [--check-only]

``--installed`` is a copy of ``shared/novu-reference`` where ``npm ci`` ran (it
provides ``@novu/framework`` and ``express``). ``--check-only`` compares and
reports without writing fixtures.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import _differential as diff  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "differential"
SCRIPT = ROOT / "scripts" / "diff_oracle.mjs"


class Oracle:
    """The SDK serving a set of workflow specs on a loopback port."""

    def __init__(self, installed: Path, specs: list[dict[str, t.Any]], port: int) -> None:
        self.port = port
        self._spec_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8")
        json.dump(specs, self._spec_file)
        self._spec_file.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOVU_")}
        env.update(NOVU_REF_DIR=str(installed), PORT=str(port), TZ=os.environ.get("TZ", "UTC"))
        self.proc = subprocess.Popen(["node", str(SCRIPT), self._spec_file.name], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._conn: http.client.HTTPConnection | None = None
        for _ in range(200):
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"oracle exited with {self.proc.returncode}: {err[-2000:]}")
            try:
                self.send("action=health-check", None, method="GET")
                return
            except OSError:
                self._conn = None
                time.sleep(0.1)
        raise RuntimeError("oracle did not start")

    def send(self, query: str, body: str | None, method: str = "POST") -> tuple[int, str]:
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                headers = {"content-type": "application/json"} if body is not None else {}
                self._conn.request(method, "/api/novu?" + query,
                                   body=body.encode("utf-8") if body is not None else None, headers=headers)
                resp = self._conn.getresponse()
                return resp.status, resp.read().decode("utf-8")
            except (OSError, http.client.HTTPException):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.unlink(self._spec_file.name)


# -- causes -----------------------------------------------------------------------------------

SANITISED_TYPES = {"email", "in_app"}


def rebuild(case: dict[str, t.Any], frags: dict[str, list[tuple[str, str]]]) -> str:
    body = json.loads(case["body"])
    for name, parts in frags.items():
        body["controls"][name] = "".join(text for _, text in parts)
    return diff.dump(body)


def shrink(oracle: Oracle, app: t.Any, case: dict[str, t.Any]) -> tuple[dict[str, t.Any], str]:
    """The smallest variant of ``case`` that still disagrees (greedy), and its difference."""

    def disagreement(body: str) -> str | None:
        theirs = oracle.send(case["query"], body)
        ours = diff.send_flask(app, case["query"], body)
        return diff.compare(theirs[0], theirs[1], ours[0], ours[1], sanitised=case["stepType"] in SANITISED_TYPES)

    frags = {k: list(v) for k, v in case["frags"].items()}
    body = case["body"]
    current = disagreement(body)
    assert current is not None
    # 0. controls left to their (generated) defaults: spell them out when that changes nothing
    given = json.loads(body)["controls"]
    explicit = rebuild(case, frags)
    found = disagreement(explicit)
    if found is None:
        frags = {k: v for k, v in frags.items() if k in given}
    else:
        body, current, case = explicit, found, dict(case, body=explicit)
    # 1. replace whole controls by plain text, then drop fragments one by one
    for name in list(frags):
        trial = dict(frags, **{name: [("text", "x")]})
        text = rebuild(case, trial)
        found = disagreement(text)
        if found is not None:
            frags, body, current = trial, text, found
            case = dict(case, body=text)
    for name in list(frags):
        i = 0
        while i < len(frags[name]) and len(frags[name]) > 1:
            trial = dict(frags, **{name: frags[name][:i] + frags[name][i + 1:]})
            text = rebuild(case, trial)
            found = disagreement(text)
            if found is not None:
                frags, body, current = trial, text, found
                case = dict(case, body=text)
            else:
                i += 1
    # 2. drop the filters of a chain one by one
    for name in list(frags):
        for index in range(len(frags[name])):
            while True:
                tag, text = frags[name][index]
                smaller = _drop_one_filter(tag, text, lambda tg, tx: disagreement(rebuild(case, dict(
                    frags, **{name: frags[name][:index] + [(tg, tx)] + frags[name][index + 1:]}))) is not None)
                if smaller is None:
                    break
                frags = dict(frags, **{name: frags[name][:index] + [smaller] + frags[name][index + 1:]})
                body = rebuild(case, frags)
                case = dict(case, body=body)
                current = disagreement(body) or current
    # 3. drop payload keys and subscriber fields that do not matter
    for section in ("payload", "subscriber", "state"):
        data = json.loads(body)
        value = data.get(section)
        if isinstance(value, dict):
            for key in list(value):
                trial_data = json.loads(body)
                del trial_data[section][key]
                text = diff.dump(trial_data)
                found = disagreement(text)
                if found is not None:
                    body, current = text, found
    return {**case, "body": body, "frags": frags}, current


_CHAIN = re.compile(r"^(\{\{-? |\{%-? assign \w+ = )(.*?)( -?\}\}| -?%\})$", re.S)


def _drop_one_filter(tag: str, text: str, still_differs: t.Callable[[str, str], bool]) -> tuple[str, str] | None:
    """The fragment without one of its filters, if it still disagrees so."""
    match = _CHAIN.match(text)
    if match is None:
        return None
    prefix, expr, suffix = match.groups()
    parts = expr.split(" | ")
    tags = tag.split(" ")
    filter_tags = [i for i, tg in enumerate(tags) if tg.startswith("filter:")]
    if len(parts) < 2 or len(filter_tags) != len(parts) - 1:
        return None
    for i in range(1, len(parts)):
        new_text = prefix + " | ".join(parts[:i] + parts[i + 1:]) + suffix
        new_tag = " ".join(tg for j, tg in enumerate(tags) if j != filter_tags[i - 1])
        if still_differs(new_tag, new_text):
            return new_tag, new_text
    return None


def liquid_differs(installed: Path, body: dict[str, t.Any], defaults: dict[str, str]) -> bool:
    """Whether the SDK's compileControls (``scripts/liquid_oracle.mjs``) and ours render
    the request's controls differently (payload and subscriber as sent)."""
    from flask_novu.templating import ControlCompilationError, compile_controls

    controls = dict(body.get("controls") or {})
    for key, value in defaults.items():
        controls.setdefault(key, value)
    case = {"controls": controls, "payload": body.get("payload") or {}, "subscriber": body.get("subscriber") or {}}
    env = dict(os.environ, NOVU_REFERENCE=str(installed), TZ="UTC")
    run = subprocess.run(["node", str(ROOT / "scripts" / "liquid_oracle.mjs")], input=json.dumps(case) + "\n",
                         capture_output=True, text=True, env=env, timeout=60)
    try:
        theirs = json.loads(run.stdout.splitlines()[0])
    except (IndexError, ValueError):
        return False
    context = {"workflow": {"workflowId": "liquid-oracle"}, "payload": case["payload"],
               "subscriber": case["subscriber"], "context": {}, "steps": {}, "env": {}}
    try:
        ours: dict[str, t.Any] = {"ok": compile_controls(controls, context)}
    except ControlCompilationError as err:
        ours = {"error": err.data["name"]}
    return bool(theirs != json.loads(json.dumps(ours)))


def cause_of(case: dict[str, t.Any], small: dict[str, t.Any], difference: str,
             defaults: dict[str, str], installed: Path | None = None) -> tuple[str, str]:
    """(category, cause) of a disagreement, from the shrunk case's fragments.

    ``defaults``: the Liquid defaults of the step's string controls (they apply
    where the request has no value).  With ``installed``, a disagreement put
    down to sanitising whose controls already render differently (Liquid in
    HTML attributes or text, JSON-looking text) is put down to Liquid.
    """
    found = _cause_of(case, small, difference, defaults)
    if found[0] == "sanitize" and installed is not None and liquid_differs(installed, json.loads(small["body"]), defaults):
        return "liquid", f"in {found[1]}"
    return found


def _cause_of(case: dict[str, t.Any], small: dict[str, t.Any], difference: str,
              defaults: dict[str, str]) -> tuple[str, str]:
    tags = [tag for parts in small["frags"].values() for tag, _ in parts if tag != "text" or parts != [("text", "x")]]
    path = diff.difference_path(difference)
    html = [tag for tag in tags if tag.startswith("html:")]
    liquid = [tag for tag in tags if tag not in ("text", "url") and not tag.startswith("html:")]
    body = json.loads(small["body"])
    given = body.get("controls", {})
    controls = " ".join([str(v) for v in given.values()] + [v for k, v in defaults.items() if k not in given])
    if "controls syntax" in difference or "StepControlCompilationFailedError" in difference:
        first = (liquid or html or tags or ["text"])[0]
        if '"position":' in difference:
            # the SDK's jsonrepair of the rendered controls threw (text such as `{"` or `{ `)
            return "liquid", f"JSON repair fails ({first})"
        return "liquid", f"syntax error ({first})"
    if html and case["stepType"] in SANITISED_TYPES and not liquid:
        return "sanitize", html[0]
    if liquid or "{{" in controls or "{%" in controls:
        if not liquid:
            return "liquid", "control default"
        words = liquid[0].split(" ")
        filters = [w[len("filter:"):] for w in words if w.startswith("filter:")]
        if filters and words[0] in ("assign", "capture"):
            return "liquid", f"{words[0]} ... | " + " | ".join(filters)
        return "liquid", ("| " + " | ".join(filters)) if filters else liquid[0]
    if html and case["stepType"] in SANITISED_TYPES:
        return "sanitize", html[0]
    if any(c in controls for c in "{}[]\\\""):
        return "liquid", "json-like text"
    if case["stepType"] in SANITISED_TYPES and any(c in controls for c in "<>&"):
        return "sanitize", "text-escaping"
    return "other", f"{case['stepType']} {path}"


# -- main --------------------------------------------------------------------------------------


def parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            low, high = part.split("-")
            seeds.extend(range(int(low), int(high) + 1))
        else:
            seeds.append(int(part))
    return seeds


def run(installed: Path, seeds: list[int], n_workflows: int, port: int,
        do_shrink: bool = True, log: t.Callable[[str], None] = print) -> dict[str, t.Any]:
    specs: list[dict[str, t.Any]] = []
    cases: list[dict[str, t.Any]] = []
    for seed in seeds:
        s, c = diff.generate(seed, n_workflows)
        specs += s
        cases += c
    app = diff.make_app(specs)
    defaults = diff.control_defaults(specs)
    spec_of = {spec["workflowId"]: spec for spec in specs}
    oracle = Oracle(installed, specs, port)
    prefixes = sorted({str(installed), os.path.realpath(installed)}, key=len, reverse=True)

    def scrub(answer: tuple[int, str]) -> tuple[int, str]:
        # Local paths in the SDK's stack traces (never compared) stay out of the fixtures.
        text = answer[1]
        for prefix in prefixes:
            text = text.replace(prefix, "<ref>")
        return answer[0], text

    agreed: list[dict[str, t.Any]] = []
    known: list[dict[str, t.Any]] = []
    deliberate: list[dict[str, t.Any]] = []
    dropped = 0
    try:
        for n, case in enumerate(cases):
            first = scrub(oracle.send(case["query"], case["body"]))
            second = scrub(oracle.send(case["query"], case["body"]))
            if first[0] != second[0] or diff.normalise(first[0], diff.parse(first[1]), ours=False) != \
                    diff.normalise(second[0], diff.parse(second[1]), ours=False):
                dropped += 1
                continue
            ours = diff.send_flask(app, case["query"], case["body"])
            sanitised = case["stepType"] in SANITISED_TYPES
            difference = diff.compare(first[0], first[1], ours[0], ours[1], sanitised=sanitised)
            record = {"name": case["name"], "stepType": case["stepType"], "query": case["query"],
                      "body": case["body"], "status": first[0], "response": first[1]}
            if difference is None:
                agreed.append(record)
                continue
            kept = diff.payload_kept_variant(case["body"], spec_of[case["query"].split("&")[1].split("=", 1)[1]])
            if kept is not None:
                # the SDK drops the payload of a workflow without a payload schema:
                # Flask-Novu given an empty payload must answer as the SDK did
                emptied = diff.send_flask(app, case["query"], kept[1])
                if diff.compare(first[0], first[1], emptied[0], emptied[1], sanitised=sanitised) is None:
                    deliberate.append(dict(record, deliberate=kept[0], expected={
                        "body": kept[1], "status": first[0], "response": first[1]}))
                    continue
            variant = diff.deliberate_variant(case["body"], defaults[case["query"]])
            if variant is not None:
                # a documented deliberate difference: ours must be what the SDK answers
                # to the same request with that difference written out
                name, rewritten = variant
                expected = scrub(oracle.send(case["query"], rewritten))
                written = diff.restore_variant(name, expected[1])
                if diff.documented_failure(name, first[0], first[1], written) and \
                        diff.compare(expected[0], written, ours[0], ours[1], sanitised=sanitised) is None:
                    deliberate.append(dict(record, deliberate=name, expected={
                        "body": rewritten, "status": expected[0], "response": expected[1]}))
                    continue
            entry = dict(record, difference=difference)
            if do_shrink:
                small, small_diff = shrink(oracle, app, case)
                category, cause = cause_of(case, small, small_diff, defaults[case["query"]], installed)
                entry.update(category=category, cause=cause, reproducer={
                    "query": small["query"], "body": small["body"], "difference": small_diff})
            known.append(entry)
            if n % 200 == 0:
                log(f"{n}/{len(cases)}: {len(agreed)} agree, {len(known)} disagree")
    finally:
        oracle.close()
    return {"specs": specs, "agreed": agreed, "known": known, "deliberate": deliberate, "dropped": dropped,
            "total": len(cases)}


def write_reports(result: dict[str, t.Any], directory: Path, main_commit: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    by_category: dict[str, dict[str, list[dict[str, t.Any]]]] = collections.defaultdict(
        lambda: collections.defaultdict(list))
    for entry in result["known"]:
        by_category[entry["category"]][entry["cause"]].append(entry)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    counts = collections.Counter(entry["stepType"] for entry in result["agreed"] + result["known"])
    for category, title in (("liquid", "Liquid rendering"), ("sanitize", "HTML sanitising"), ("other", "Other")):
        groups = by_category.get(category, {})
        lines = [f"# Differential harness: {title} disagreements (SDK 2.13.2 vs Flask-Novu)",
                 f"# {stamp}, main at {main_commit}; {result['total']} cases, {len(result['agreed'])} agree, "
                 f"{len(result['known'])} disagree ({sum(len(v) for v in groups.values())} here), "
                 f"{len(result['deliberate'])} hit a documented deliberate difference, "
                 f"{result['dropped']} dropped (SDK answer not deterministic)",
                 "# Each reproducer: POST /api/novu?<query> with <body>; workflows in "
                 "tests/fixtures/differential/ (or regenerate with scripts/record_differential.py).", ""]
        for cause, entries in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"## {cause}: {len(entries)} case(s)")
            seen: set[str] = set()
            for entry in sorted(entries, key=lambda e: len(e["reproducer"]["body"]))[:4]:
                rep = entry["reproducer"]
                controls = json.loads(rep["body"]).get("controls", {})
                key = json.dumps(controls, sort_keys=True)
                if key in seen:
                    continue
                seen.add(key)
                lines.append(f"- case {entry['name']} ({entry['stepType']})")
                lines.append(f"  controls: {json.dumps(controls, ensure_ascii=False)}")
                if category == "other":
                    lines.append(f"  body: {rep['body'][:1500]}")
                lines.append(f"  difference: {rep['difference'][:1500]}")
            lines.append("")
        if category == "other":
            lines.append(f"# cases per step type: {dict(counts)}")
        (directory / f"{category}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="backslashreplace")


def deliberate_digest_text(entries: list[dict[str, t.Any]]) -> str:
    return json.dumps([[e["name"], e["query"], e["body"], e["status"], e["response"], e["deliberate"],
                        e["expected"]] for e in entries], ensure_ascii=False, separators=(",", ":"))


def write_fixtures(result: dict[str, t.Any], out: Path, seeds: list[int], n_workflows: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    meta = {"sdk": "@novu/framework 2.13.2", "seeds": seeds, "workflows_per_seed": n_workflows}
    corpus = {"meta": meta, "specs": result["specs"],
              "cases": [{k: v for k, v in c.items()} for c in result["agreed"]],
              "deliberate": result["deliberate"]}
    known = {"meta": meta, "cases": [
        {k: entry[k] for k in ("name", "stepType", "query", "body", "status", "response", "category", "cause",
                               "difference") if k in entry} for entry in result["known"]]}
    for data in (corpus, known):
        data["meta"] = dict(meta, digest=hashlib.sha256(json.dumps(
            [[c["name"], c["query"], c["body"], c["status"], c["response"]] for c in data["cases"]],
            ensure_ascii=False, separators=(",", ":")).encode()).hexdigest())
    corpus["meta"]["deliberate_digest"] = hashlib.sha256(deliberate_digest_text(corpus["deliberate"]).encode()).hexdigest()
    for name, data in (("corpus.json.gz", corpus), ("known.json.gz", known)):
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        (out / name).write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--installed", type=Path, required=True)
    parser.add_argument("--seeds", default="1-8")
    parser.add_argument("--workflows", type=int, default=150)
    parser.add_argument("--port", type=int, default=4420)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--reports", type=Path)
    parser.add_argument("--check-only", action="store_true")
    parser.add_argument("--no-shrink", action="store_true")
    args = parser.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    result = run(args.installed.resolve(), seeds, args.workflows, args.port, do_shrink=not args.no_shrink)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    if args.reports:
        write_reports(result, args.reports, commit)
    if not args.check_only:
        write_fixtures(result, args.out, seeds, args.workflows)
    total = collections.Counter(c["stepType"] for c in result["agreed"] + result["known"])
    agree = collections.Counter(c["stepType"] for c in result["agreed"])
    print("agreement per step type: " + ", ".join(
        f"{kind} {agree[kind]}/{n} ({agree[kind] / n:.1%})" for kind, n in sorted(total.items())))
    cats = collections.Counter(e.get("category", "?") for e in result["known"])
    hits = collections.Counter(e["deliberate"] for e in result["deliberate"])
    print(f"{result['total']} cases: {len(result['agreed'])} agree, {len(result['known'])} disagree {dict(cats)}, "
          f"{len(result['deliberate'])} hit a deliberate difference {dict(hits)}, {result['dropped']} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
