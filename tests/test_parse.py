"""`extractor parse`: the command, its JSONL contract and its handling of bad files."""

import json

import pytest
from click.testing import CliRunner

from extractor.cli import cli

ARTICLE = (
    "Bitcoin slides as $350 million of longs are liquidated\n\n"
    "Bitcoin fell 4.2% to $61,300 on Monday. About $350 million of long positions were liquidated on Binance.\n\n"
    "“Leverage had built up all week,” said Ivo Petrov, a trader at Brightwater.\n"
)


def run(args, input=None):
    result = CliRunner().invoke(cli, ["parse", *args], input=input)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result, lines


def test_one_object_per_file_in_order(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    b.write_text("Ether steady\n\nEther was little changed.", encoding="utf-8")
    result, lines = run([str(a), str(b)])
    assert result.exit_code == 0
    assert [o["id"] for o in lines] == ["a", "b"]
    first = lines[0]
    assert first["title"] == "Bitcoin slides as $350 million of longs are liquidated"
    assert [(x["amount_usd"], x["side"], x["exchange"]) for x in first["liquidations"]] == [
        (350_000_000, "long", "Binance")
    ]
    assert [(m["asset"], m["to_usd"], m["pct"]) for m in first["price_moves"]] == [("BTC", 61300, -4.2)]
    assert first["exchanges"] == [{"name": "Binance", "mentions": 1}]
    assert [(q["speaker"], q["org"]) for q in first["quotes"]] == [("Ivo Petrov", "Brightwater")]
    assert lines[1]["price_moves"] == []


def test_published_date_is_passed_through_and_checked(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    _, lines = run([str(a), "--published", "2024-05-13"])
    assert lines[0]["published"] == "2024-05-13"
    result, _ = run([str(a), "--published", "13/05/2024"])
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output


def test_standard_input():
    result, lines = run(["-"], input=ARTICLE)
    assert result.exit_code == 0
    assert lines[0]["id"] == "-" and len(lines[0]["liquidations"]) == 1


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\n ", "the file is empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "the file is binary, not text"),
        ("nothing.html", b"<html><head><title>x</title></head><body><nav>Home</nav></body></html>",
         "no article text found in the HTML page"),
    ],
)
def test_bad_files_give_an_error_object_and_exit_1(tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    result, lines = run([str(bad), str(good)])
    assert result.exit_code == 1
    assert lines[0] == {"source": str(bad), "id": bad.stem, "error": message}
    assert lines[1]["id"] == "good" and lines[1]["liquidations"]
    assert f"{bad}: {message}" in result.stderr


def test_oversized_file(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"bitcoin fell 1%. " * (20 * 1024 * 1024 // 17 + 1))
    result, lines = run([str(big)])
    assert result.exit_code == 1
    assert lines[0]["error"].startswith("the file is 20.0 MB, over the 10 MB limit")


def test_missing_file(tmp_path):
    result, lines = run([str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert lines[0]["error"] == "no such file"


def test_windows_1252_is_decoded(tmp_path):
    text = "Ether drops\n\n“Selling was relentless,” said Zoë Brandt, an analyst at Kiel Partners. Ether fell 5%."
    path = tmp_path / "cp.txt"
    path.write_bytes(text.encode("cp1252"))
    result, lines = run([str(path)])
    assert result.exit_code == 0
    assert [q["speaker"] for q in lines[0]["quotes"]] == ["Zoë Brandt"]
    assert "warnings" not in lines[0]


def test_stray_invalid_bytes_are_replaced_with_a_warning(tmp_path):
    path = tmp_path / "stray.txt"
    path.write_bytes(b"Bitcoin rises\n\nBitcoin rose 3% to $70,100." + b"\xff\xfe\x81")
    result, lines = run([str(path)])
    assert result.exit_code == 0
    assert [m["to_usd"] for m in lines[0]["price_moves"]] == [70100]
    assert lines[0]["warnings"] == ["invalid UTF-8 bytes were replaced with U+FFFD"]
    assert "warning: invalid UTF-8 bytes" in result.stderr


def test_html_page(tmp_path):
    page = tmp_path / "page.html"
    body = "".join(f"<p>{para}</p>" for para in ARTICLE.split("\n\n")[1:])
    page.write_text(
        "<html><head><title>Bitcoin slides</title></head><body><nav>Home | Markets</nav>"
        f"<article><h1>Bitcoin slides</h1>{body}</article><footer>Subscribe</footer></body></html>",
        encoding="utf-8",
    )
    result, lines = run([str(page)])
    assert result.exit_code == 0
    assert lines[0]["title"] == "Bitcoin slides"
    assert [x["amount_usd"] for x in lines[0]["liquidations"]] == [350_000_000]


def test_offsets_slice_the_article_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    _, lines = run([str(path)])
    obj = lines[0]
    for field in ("liquidations", "price_moves", "quotes"):
        for item in obj[field]:
            assert ARTICLE[item["start"]:item["end"]] == item["text"]
