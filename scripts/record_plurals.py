"""Record how the npm ``pluralize`` package (which the SDK's ``pluralize`` and
``toSentence`` filters call) makes plurals and singulars.

Writes ``tests/fixtures/plurals.json``: ``[word, plural, singular]`` triples
for English words that notifications count (and their odd cases), plus
seeded letter strings with every ending the package's rules look at.
``tests/test_pluralize.py`` replays the table without node.  Run with node
and an npm-installed copy of the reference::

    python scripts/record_plurals.py /tmp/novu-ref
"""

from __future__ import annotations

import json
import pathlib
import random
import subprocess
import sys

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "plurals.json"

WORDS = (
    "item person people box city wolf knife life leaf mouse child analysis status glass class bus news sheep "
    "fish deer series quiz hero potato tomato echo ox die index matrix vertex appendix criterion phenomenon "
    "datum alumnus cactus focus octopus virus radius syllabus thesis crisis axis testis man woman human goose "
    "tooth foot chinese japanese pokemon other others Other OTHERS Items item's e-mail user User USERS address "
    "wife half roof chief chef photo piano zoo movie emu menu day key boy monkey money honey journey valley "
    "alley party lady baby toy guy cafe café naïve message invoice order orders comment reply replies story "
    "stories hobby quantity alias gas atlas iris bias canvas I me he she this that is was has thou you zombie "
    "cookie movie genie calorie smiley mice lice seraphim criteria data agenda media schema"
).split()
ENDINGS = ["", "s", "es", "ies", "ves", "y", "f", "fe", "us", "a", "um", "on", "is", "ex", "ix", "ice", "ouse",
           "man", "men", "o", "oes", "ch", "sh", "x", "z", "ss", "ese", "eaux", "ae", "im", "ey", "ias", "am"]
NODE_SCRIPT = (
    "const p=require(process.argv[1]);const w=JSON.parse(require('fs').readFileSync(0,'utf8'));"
    "process.stdout.write(JSON.stringify(w.map(x=>[x,p.plural(x),p.singular(x)])))"
)


def generate(seed: int = 5, count: int = 3000) -> list[str]:
    rng = random.Random(seed)
    words = set(WORDS)
    while len(words) < count:
        stem = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 7)))
        word = stem + rng.choice(ENDINGS)
        words.add(word.upper() if rng.random() < 0.05 else word.title() if rng.random() < 0.1 else word)
    return sorted(words)


def main() -> None:
    package = pathlib.Path(sys.argv[1]) / "node_modules" / "pluralize"
    result = subprocess.run(["node", "-e", NODE_SCRIPT, str(package)], input=json.dumps(generate()),
                            capture_output=True, text=True, check=True)
    rows = json.loads(result.stdout)
    OUT.write_text("[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
