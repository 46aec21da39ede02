"""Build ``src/msc_nlp/data/stopwords_extra.json``: stop words for story languages spaCy has none for.

Swahili: the stopwords-iso list (package ``stopwordsiso``, MIT) plus, for Swahili and Kirundi (no published
list found on the registry), the words found in at least ``--min-share`` of SIB-200's *train* sentences of
that language (function words: "na", "kwa", "ku", "kandi"...). Needs ``pip install stopwordsiso`` and the
shared data; the built file needs nothing at run time.

    python models/build_stopwords.py [--data PATH] [--min-share 0.03]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIB = {"sw": "swh_Latn", "rn": "run_Latn"}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.environ.get("MSC_SHARED_DATA", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--min-share", type=float, default=0.03)
    args = ap.parse_args()
    import stopwordsiso

    words: dict[str, list[str]] = {}
    for lang, folder in SIB.items():
        with (Path(args.data) / "sib200" / folder / "train.tsv").open(encoding="utf-8") as fh:
            rows = [r["text"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
        df = Counter(w for text in rows for w in set(_WORD.findall(text.lower())))
        frequent = {w for w, n in df.items() if n >= args.min_share * len(rows)}
        listed = set(stopwordsiso.stopwords(lang)) if stopwordsiso.has_lang(lang) else set()
        words[lang] = sorted(frequent | listed)
    out = ROOT / "src" / "msc_nlp" / "data" / "stopwords_extra.json"
    meta = {"built_by": "models/build_stopwords.py", "min_share": args.min_share,
            "sources": {"stopwordsiso": "stopwords-iso (MIT), version " + stopwordsiso.__version__
                        if hasattr(stopwordsiso, "__version__") else "stopwords-iso (MIT)",
                        "sib200": "words in >= min_share of SIB-200 train sentences (CC BY-SA 4.0 data)"}}
    out.write_text(json.dumps({"meta": meta, "stop_words": words}, ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")
    print({k: len(v) for k, v in words.items()}, "->", out)


if __name__ == "__main__":
    main()
