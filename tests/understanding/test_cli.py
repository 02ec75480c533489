"""`sandan nlu train/parse/eval/export-rasa` through click's CliRunner, on a small generated table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from bot.cli import cli
from nlu.bundle import load_model
from tests.understanding.conftest import ROOT

#: A tiny taxonomy of its own, so the table decides the labels, not the demo deployment.
ROWS = {
    "交通": ["公交车太少了等一个小时", "路口红绿灯时间太短", "地铁站出口拥堵", "公交站台没有遮雨棚", "出租车拒载",
             "高速收费站排长队", "公交线路改了没通知", "路上大货车超速"],
    "教育": ["孩子上学太远了", "学校乱收补课费", "幼儿园学位不够", "老师体罚学生", "学区划分不合理",
             "小学放学太早没人接", "学校食堂饭菜太差", "中学晚自习太晚"],
    "医疗": ["医院挂号太难", "医保报销太慢", "药价太贵了", "社区卫生站没有医生", "看病排队要三个小时",
             "疫苗接种点太少", "医院停车难", "急诊等太久"],
}


def write_table(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "message", "kind"])
        for label, texts in ROWS.items():
            for i, text in enumerate(texts):
                writer.writerow([f"{label}-{i}", text, label])
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_train_from_a_table_learns_its_taxonomy(tmp_path, config_copy):
    table = write_table(tmp_path / "tickets.csv")
    result = run("nlu", "train", "--config", str(config_copy), "--csv", str(table),
                 "--text-column", "message", "--label-column", "kind")
    assert result.exit_code == 0, result.output
    assert "24 条样本，3 个类别" in result.output
    model = load_model(tmp_path / "model.pkl")
    assert model.category_source == "tickets.csv" and sorted(model.category.labels) == sorted(ROWS)

    parsed = json.loads(run("nlu", "parse", "--config", str(config_copy), "公交车太少，等车等了一个小时").output)
    assert (parsed["intent"], parsed["category"]) == ("report", "交通")


def test_train_from_an_xlsx(tmp_path, config_copy):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["text", "label"])
    for label, texts in ROWS.items():
        for text in texts:
            sheet.append([text, label])
    book.save(tmp_path / "tickets.xlsx")
    result = run("nlu", "train", "--config", str(config_copy), "--csv", str(tmp_path / "tickets.xlsx"))
    assert result.exit_code == 0 and "3 个类别" in result.output


def test_train_names_a_missing_column(tmp_path, config_copy):
    table = write_table(tmp_path / "tickets.csv")
    result = CliRunner().invoke(cli, ["nlu", "train", "--config", str(config_copy), "--csv", str(table)])
    assert result.exit_code == 1
    assert "no column 'text'; columns are id, message, kind (use --text-column / --label-column)" in result.output


def test_train_from_the_rasa_data(config_copy, tmp_path):
    result = run("nlu", "train", "--config", str(config_copy))
    assert result.exit_code == 0 and "data/nlu 训练数据" in result.output
    model = load_model(tmp_path / "model.pkl")
    assert "环境卫生" in model.category.labels and "greeting" in model.intent.labels


def test_parse_prints_json_with_the_phone_masked(config_copy):
    result = run("nlu", "parse", "--config", str(config_copy), "广场花苑小区3栋的垃圾桶坏了，电话13812345678")
    parsed = json.loads(result.output)
    assert (parsed["intent"], parsed["category"], parsed["entities"]["place"]) == ("report", "环境卫生", "广场花苑小区")
    assert parsed["entities"]["phone"] == "138****5678"


def test_eval_prints_scores_confusion_matrix_and_cross_validation(tmp_path, config_copy):
    table = write_table(tmp_path / "tickets.csv")
    result = run("nlu", "eval", "--config", str(config_copy), "--csv", str(table),
                 "--text-column", "message", "--label-column", "kind", "--folds", "4")
    assert result.exit_code == 0
    assert "precision  recall     F1  support" in result.output
    assert "confusion matrix" in result.output
    assert "4-fold cross-validation: macro-F1" in result.output and "24 examples" in result.output


def test_export_rasa_writes_a_rasa_project(tmp_path, config_copy):
    result = run("nlu", "export-rasa", "--config", str(config_copy), str(tmp_path / "rasa"))
    assert result.exit_code == 0
    config = yaml.safe_load((tmp_path / "rasa" / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == "zh"
    assert [c["name"] for c in config["pipeline"]][:1] == ["JiebaTokenizer"]
    assert "DIETClassifier" in [c["name"] for c in config["pipeline"]]
    domain = yaml.safe_load((tmp_path / "rasa" / "domain.yml").read_text(encoding="utf-8"))
    assert "report_环境卫生" in domain["intents"] and "place" in domain["entities"]
    nlu = yaml.safe_load((tmp_path / "rasa" / "data" / "nlu.yml").read_text(encoding="utf-8"))
    examples = next(e["examples"] for e in nlu["nlu"] if e.get("intent") == "report_环境卫生")
    assert "](place)" in examples and "](facility)" in examples
    assert "广场花苑小区" in (tmp_path / "rasa" / "jieba" / "userdict.txt").read_text(encoding="utf-8")


def test_train_out_and_eval_model_score_a_held_out_table(tmp_path, config_copy):
    train_table = write_table(tmp_path / "train.csv")
    with (tmp_path / "test.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["message", "kind"])
        writer.writerows([["公交车半小时才来一趟", "交通"], ["学校补课收费太高", "教育"], ["医院排队挂号要半天", "医疗"]])
    out = tmp_path / "held-out-model.pkl"
    trained = run("nlu", "train", "--config", str(config_copy), "--csv", str(train_table),
                  "--text-column", "message", "--label-column", "kind", "--out", str(out))
    assert trained.exit_code == 0, trained.output
    assert out.exists() and not (tmp_path / "model.pkl").exists()     # --out, not nlu.model_path
    result = run("nlu", "eval", "--config", str(config_copy), "--model", str(out), "--csv", str(tmp_path / "test.csv"),
                 "--text-column", "message", "--label-column", "kind")
    assert result.exit_code == 0, result.output
    assert "held-out: macro-F1" in result.output and "3 examples" in result.output


def test_eval_model_needs_a_table(tmp_path, config_copy):
    out = tmp_path / "m.pkl"
    out.write_bytes(b"")
    result = CliRunner().invoke(cli, ["nlu", "eval", "--config", str(config_copy), "--model", str(out)])
    assert result.exit_code == 1 and "Error: --model needs --csv" in result.output


def test_triage_writes_nothing_into_the_checkout(config_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = sorted(p.name for p in (ROOT / "var").glob("*")) if (ROOT / "var").exists() else []
    result = CliRunner().invoke(cli, ["triage", "--config", str(config_copy)], input="广场花苑小区3栋的垃圾桶坏了\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["grid"] == "龙西社区第一网格党支部"
    assert not (tmp_path / "model.pkl").exists()          # nlu.model_path is only written by `sandan nlu train`
    after = sorted(p.name for p in (ROOT / "var").glob("*")) if (ROOT / "var").exists() else []
    assert after == before
