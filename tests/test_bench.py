"""Tests of the pure parts of ``make bench``: tables, budget flags, aggregation, and the classic char-RNN.

Nothing here times anything or asserts a speed: CI must not become a flaky timing test. The expensive
parts (notebooks, the long-lag runs) are not run; their rendering is fed fake rows.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils import longlag, models
from course_utils.gradcheck import numerical_gradient, rel_error

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench  # noqa: E402
import bench_extras  # noqa: E402
import charrnn_classic  # noqa: E402

# ----------------------------------------------------------------------------------------------
# bench.py: budgets and the notebook table
# ----------------------------------------------------------------------------------------------


def nb_row(name: str, seconds: float, peak_mb: float, **metrics: float) -> dict:
    return {
        "notebook": f"notebooks/{name}.ipynb",
        "seconds": seconds,
        "peak_mb": peak_mb,
        "metrics": metrics,
    }


def test_within_budget_at_and_over_each_limit():
    assert bench.within_budget(nb_row("a", bench.BUDGET_SECONDS, bench.BUDGET_MB))
    assert not bench.within_budget(nb_row("a", bench.BUDGET_SECONDS + 0.1, 10))
    assert not bench.within_budget(nb_row("a", 1.0, bench.BUDGET_MB + 1))
    assert not bench.within_budget({"notebook": "notebooks/a.ipynb", "error": "boom"})


def test_render_markdown_flags_rows_and_total():
    rows = [
        nb_row("01_fast", 12.34, 400, acc=0.98765, mse=1.5e-7),
        nb_row("02_slow", 75.0, 500),
        nb_row("03_fat", 20.0, 1500),
        {
            "notebook": "notebooks/04_broken.ipynb",
            "error": "CellExecutionError | line 2\nValueError: x",
        },
    ]
    baseline = {"notebook": "bare_import_tensorflow.ipynb", "seconds": 4.0, "peak_mb": 400}
    text = bench.render_markdown(
        bench.with_ratios(rows, baseline),
        {"sections": ["## Extra one", "## Extra two"]},
        total=301.0,
        machine_line="2 cores (test CPU)",
        date="2024-01-02",
        baseline=baseline,
    )
    lines = text.splitlines()
    assert lines[0] == "# Benchmarks"
    assert "- **Machine**: 2 cores (test CPU)" in lines
    assert "- **Date**: 2024-01-02" in lines
    assert "- **Whole course**: 301 s (OVER budget); 1 notebook(s) FAILED and not counted" in lines
    assert any(
        line.startswith("- **Yardstick**: ") and "4.0 s and 400 MB" in line for line in lines
    )
    # seconds and memory, each also over the bare-TensorFlow kernel measured in the same run
    assert (
        "| notebooks/01_fast.ipynb | 12.3 | 3.1 | 400 | 1.0 | yes | acc = 0.9877, mse = 1.5e-07 |"
        in lines
    )
    assert "| notebooks/02_slow.ipynb | 75.0 | 18.8 | 500 | 1.25 | NO | — |" in lines
    assert "| notebooks/03_fat.ipynb | 20.0 | 5.0 | 1500 | 3.75 | NO | — |" in lines
    # the error's pipe is escaped and its line break flattened, so the table keeps five columns
    broken = next(line for line in lines if "04_broken" in line)
    assert (
        broken
        == "| notebooks/04_broken.ipynb | — | — | — | — | FAILED | CellExecutionError \\| line 2 ValueError: x |"
    )
    assert text.index("## Extra one") < text.index("## Extra two")
    assert text.index("| notebooks/01_fast") < text.index("## Extra one")


def test_render_markdown_total_within_budget_and_no_extras():
    text = bench.render_markdown(
        [nb_row("01", 1.0, 1)], {}, total=bench.BUDGET_TOTAL_SECONDS, machine_line="m", date="d"
    )
    assert "- **Whole course**: 300 s (within budget)" in text.splitlines()


def test_strip_ansi_removes_colour_codes():
    coloured = "\x1b[31mValueError\x1b[39m: bad \x1b[38;5;28;01mraise\x1b[0m"
    assert bench.strip_ansi(coloured) == "ValueError: bad raise"


def test_plot_writes_a_png_from_fake_rows(tmp_path):
    target = tmp_path / "bench.png"
    bench.plot([nb_row("01", 10.0, 300), {"notebook": "notebooks/02.ipynb", "error": "x"}], target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------------------------
# bench_extras: long-lag aggregation and markdown
# ----------------------------------------------------------------------------------------------


def fake_result(
    cell: str, T: int, seed: int, mse: float, epochs_to_target: int | None
) -> longlag.LongLagResult:
    units = longlag.units_for_budget(cell, bench_extras.BUDGET, 2)
    reached = epochs_to_target is not None
    return longlag.LongLagResult(
        cell=cell,
        T=T,
        seed=seed,
        units=units,
        params=models.param_count(cell, units, 2) + units + 1,
        test_mse=mse,
        baseline_mse=1 / 6,
        target_mse=0.01,
        reached=reached,
        epochs=epochs_to_target if reached else 30,
        epochs_to_target=epochs_to_target,
        seconds_to_target=None,
        seconds_per_epoch=0.5 + seed,
        seconds=10.0,
    )


def fake_results() -> list[longlag.LongLagResult]:
    return [
        fake_result("LSTM", 40, 0, 0.001, 12),
        fake_result("SimpleRNN", 40, 0, 0.10, None),
        fake_result("LSTM", 40, 1, 0.002, 16),
        fake_result("SimpleRNN", 40, 1, 0.20, None),
        fake_result("LSTM", 40, 2, 0.030, None),
        fake_result("SimpleRNN", 40, 2, 0.30, None),
        fake_result("GRU", 10, 0, 0.004, 3),
    ]


def test_aggregate_long_lag_mean_std_and_counts():
    rows = bench_extras.aggregate_long_lag(fake_results())
    # ordered by lag, then by longlag.CELLS
    assert [(r["cell"], r["lag"]) for r in rows] == [("GRU", 10), ("SimpleRNN", 40), ("LSTM", 40)]
    gru, rnn, lstm = rows
    assert rnn["mse_mean"] == pytest.approx(0.2)
    assert rnn["mse_std"] == pytest.approx(0.1)  # sample std of 0.1, 0.2, 0.3
    assert (rnn["mse_min"], rnn["mse_max"]) == (0.10, 0.30)
    assert (rnn["solved"], rnn["seeds"], rnn["seed_list"]) == (0, 3, [0, 1, 2])
    assert rnn["epochs_to_target_mean"] is None
    assert lstm["mse_mean"] == pytest.approx(0.011)
    assert lstm["mse_std"] == pytest.approx(np.std([0.001, 0.002, 0.030], ddof=1))
    assert lstm["solved"] == 2
    assert lstm["epochs_to_target_mean"] == pytest.approx(14.0)  # solved seeds only
    assert lstm["sec_per_epoch_mean"] == pytest.approx(1.5)
    assert gru["mse_std"] == 0.0 and gru["seeds"] == 1  # one seed: no spread
    assert lstm["units"] == 16 and lstm["layer_params"] == bench_extras.BUDGET
    assert lstm["params"] == bench_extras.BUDGET + 17  # with the Dense(1) readout


def test_long_lag_rows_have_the_keys_the_slides_read():
    rows = bench_extras.aggregate_long_lag(fake_results())
    for row in rows:
        assert {
            "cell",
            "lag",
            "mse_mean",
            "mse_std",
            "solved",
            "seeds",
            "sec_per_epoch_mean",
            "params",
        } <= set(row)


def test_long_lag_markdown_rows():
    text = bench_extras.long_lag_markdown(bench_extras.aggregate_long_lag(fake_results()))
    lines = text.splitlines()
    assert lines[0] == "## Long-lag memory over 3 seeds: SimpleRNN vs LSTM vs GRU"
    assert "repeated for seeds 0, 1, 2:" in text
    assert f"about {bench_extras.BUDGET:,} weights" in text
    assert (
        "| LSTM | 40 | 16 | 1216 / 1233 | 0.0110 ± 0.0165 | 0.0010 – 0.0300 | 2/3 | 14.0 | 1.50 |"
        in lines
    )
    assert (
        "| SimpleRNN | 40 | 33 | 1188 / 1222 | 0.2000 ± 0.1000 | 0.1000 – 0.3000 | 0/3 | — | 1.50 |"
        in lines
    )
    assert bench_extras.long_lag_markdown([]).endswith("No runs.")


def _notebook_constants(name: str, names: set[str]) -> dict[str, object]:
    """The top-level ``NAME = expr`` constants ``names`` of a notebook source (evaluated, ``longlag`` and ``models`` in scope)."""
    tree = ast.parse((ROOT / "notebooks" / "src" / name).read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in names:
                code = compile(ast.Expression(node.value), name, "eval")
                found[target.id] = eval(
                    code, {"longlag": longlag, "models": models}
                )  # the repository's own source
    assert set(found) == names, f"{name}: expected constants {sorted(names)}, found {sorted(found)}"
    return found


def test_long_lag_settings_are_the_notebooks():
    nb07 = _notebook_constants("07_gru.py", {"LAGS", "EPOCHS", "BUDGET"})
    assert bench_extras.LAGS == nb07["LAGS"]
    assert bench_extras.EPOCHS == nb07["EPOCHS"]
    assert bench_extras.BUDGET == nb07["BUDGET"]
    nb06 = _notebook_constants("06_lstm.py", {"T_LONG", "EPOCHS", "BUDGET"})
    assert nb06["T_LONG"] in bench_extras.LAGS
    assert (nb06["EPOCHS"], nb06["BUDGET"]) == (bench_extras.EPOCHS, bench_extras.BUDGET)


def test_run_all_rejects_a_bad_seed_count():
    with pytest.raises(ValueError, match=r"seeds: expected a positive integer, got 0"):
        bench_extras.run_all(seeds=0)
    with pytest.raises(ValueError, match=r"seeds: expected a positive integer, got True"):
        bench_extras.run_all(seeds=True)


# ----------------------------------------------------------------------------------------------
# bench_extras: char-RNN comparison (structure, not speed)
# ----------------------------------------------------------------------------------------------


def fake_charrnn(ratio: float) -> dict:
    run = {
        "batch": 1,
        "chars": 30_000,
        "seconds": 10.0,
        "chars_per_sec": 3000.0,
        "loss_first": 4.5,
        "loss_last": 2.5,
    }
    return {
        "hidden": 100,
        "seq_length": 25,
        "batch": 32,
        "vocab": 95,
        "corpus_chars": 60_000,
        "blas_threads": 1,
        "repeats": 2,
        "runs": [{**run, "trainer": "classic"}, {**run, "trainer": "course", "batch": 32}],
        "ratio": ratio,
        "ratio_unbatched": 0.8,
    }


def test_charrnn_markdown_reports_rates_and_ratio():
    text = bench_extras.charrnn_markdown(fake_charrnn(6.0))
    assert "| classic | 1 | 30,000 | 10.0 | 3,000 | 4.50 → 2.50 |" in text.splitlines()
    assert (
        "**The course's batched trainer is 6.0x the classic rate** (with a single stream it is 0.80x)"
        in text
    )
    assert "H = 100" in text and "K = 95" in text and "chunks of 25 steps" in text
    assert "a uniform guess scores ln K = 4.55 nats" in text
    assert "Below the expected" not in text


def test_charrnn_markdown_explains_a_small_ratio():
    assert "*Below the expected several-fold speed-up*" in bench_extras.charrnn_markdown(
        fake_charrnn(1.5)
    )


def test_stream_rows_windows_and_error():
    rows = bench_extras.stream_rows(np.arange(100), 4, 31)
    assert rows.shape == (4, 31)
    assert rows[0, 0] == 0 and rows[-1, -1] == 99
    assert np.all(np.diff(rows, axis=1) == 1)
    with pytest.raises(ValueError, match=r"length: expected at most len\(ids\) = 10, got 11"):
        bench_extras.stream_rows(np.arange(10), 2, 11)


def test_time_records_count_characters_consistently():
    ids, alphabet = charrnn_classic.encode("the quick brown fox jumps over the lazy dog\n" * 20)
    K = len(alphabet)
    classic = bench_extras.time_classic(ids, K, hidden=8, seq_length=10, n_chars=95)
    assert classic["chars"] == 100 and classic["batch"] == 1  # rounded up to whole chunks
    assert classic["loss_first"] == pytest.approx(
        np.log(K), abs=0.01
    )  # the first chunk, before updates
    course = bench_extras.time_course(ids, K, hidden=8, seq_length=10, batch=4, n_chars=95)
    assert course["chars"] == 120 and course["batch"] == 4  # 3 updates of 4 x 10 characters
    for rec in (classic, course):
        assert rec["chars_per_sec"] == pytest.approx(rec["chars"] / rec["seconds"])
        assert np.isfinite(rec["loss_first"]) and np.isfinite(rec["loss_last"])


def test_run_charrnn_end_to_end_on_a_tiny_setting():
    messages = []
    data = bench_extras.run_charrnn(
        hidden=8,
        seq_length=10,
        batch=4,
        n_chars=400,
        corpus_chars=1000,
        repeats=1,
        progress=messages.append,
    )
    assert [r["batch"] for r in data["runs"]] == [1, 1, 4]
    assert [r["chars"] for r in data["runs"]] == [400, 400, 400]
    classic, single, batched = data["runs"]
    assert data["ratio"] == pytest.approx(batched["chars_per_sec"] / classic["chars_per_sec"])
    assert data["ratio_unbatched"] == pytest.approx(
        single["chars_per_sec"] / classic["chars_per_sec"]
    )
    assert data["corpus_chars"] == 1000 and len(messages) == 3
    assert "characters / s" in bench_extras.charrnn_markdown(data)


def test_run_charrnn_needs_a_corpus_longer_than_one_stream():
    assert bench_extras.CHAR_CORPUS > bench_extras.CHAR_COUNT
    with pytest.raises(
        ValueError,
        match=r"corpus_chars: expected more than n_chars = 500 \(one stream must fit\), got 500",
    ):
        bench_extras.run_charrnn(n_chars=500, corpus_chars=500)


# ----------------------------------------------------------------------------------------------
# charrnn_classic: the peer is a correct char-RNN
# ----------------------------------------------------------------------------------------------


def test_encode_round_trips():
    ids, alphabet = charrnn_classic.encode("banana")
    assert alphabet == "abn"
    assert "".join(alphabet[i] for i in ids) == "banana"


def test_classic_gradients_match_numerical_gradients():
    K, H, T = 5, 4, 6
    rng = np.random.default_rng(0)
    params = {
        k: rng.normal(0.0, 0.5, v.shape) for k, v in charrnn_classic.init_params(K, H).items()
    }
    inputs = rng.integers(0, K, T)
    targets = rng.integers(0, K, T)
    h_prev = rng.normal(0.0, 0.5, (1, H))
    _, grads, _ = charrnn_classic.loss_and_grads(params, inputs, targets, h_prev)
    for name in charrnn_classic.PARAM_NAMES:

        def loss_of(_: np.ndarray) -> np.ndarray:
            return np.array(charrnn_classic.loss_and_grads(params, inputs, targets, h_prev)[0])

        numeric = numerical_gradient(loss_of, params[name], np.array(1.0))
        assert rel_error(grads[name], numeric) < 1e-7, name


def test_classic_first_loss_is_uniform_and_training_lowers_it():
    ids, alphabet = charrnn_classic.encode("hello world\n" * 40)
    params = charrnn_classic.init_params(len(alphabet), 16, seed=0)
    run = charrnn_classic.train(params, ids, n_chars=2500, seq_length=20)
    assert run.chars == 2500
    # tiny initial weights: every character about equally likely, loss log K per character
    assert run.loss_per_char[0] == pytest.approx(np.log(len(alphabet)), abs=0.01)
    assert np.mean(run.loss_per_char[-10:]) < 0.3 * run.loss_per_char[0]


def test_classic_rejects_a_too_short_stream():
    params = charrnn_classic.init_params(3, 2)
    with pytest.raises(
        ValueError, match=r"ids: expected at least seq_length \+ 1 = 26 ids, got 10"
    ):
        charrnn_classic.train(params, np.zeros(10, dtype=np.int64), n_chars=10)


def test_baseline_is_a_real_kernel_that_imports_tensorflow():
    # the yardstick of the × columns: a fresh kernel importing TensorFlow and Keras, measured like a notebook
    row = bench.bench_baseline()
    assert "error" not in row, row
    assert row["notebook"] == "bare_import_tensorflow.ipynb"
    assert row["seconds"] > 0 and row["peak_mb"] > 100  # TensorFlow alone takes hundreds of MB
