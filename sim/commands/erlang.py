"""``contactsim erlang``: a planners' Erlang C / Erlang A staffing calculator on the command line.

    contactsim erlang --rate 100/h --aht 240s --target 80/20s [--patience 300s] [--shrinkage 30%] [--json]

prints one row per agent count around the fewest agents meeting the target, the recommended row marked.

    contactsim erlang --forecast day.csv --aht 240s --target 80/20s [--patience 300s] [--lines 40 --redial 50%]
                      [--out plan.csv]

prints (and writes, dated) one row per interval of a forecast file: Erlang C, Erlang A and Erlang X staffing
(``sim.commands.erlang_forecast``).
"""
from __future__ import annotations

import json
import math
import sys

from sim.commands.options import _option, _positive, _whole, parse_fraction, parse_target
from sim.errors import InputError

_SL_NAMES = {"offered": "sl_offered", "answered": "sl_answered", "excl_short_abandons": "sl_excl_short_abandons"}


def register(sub) -> None:
    p = sub.add_parser(
        "erlang",
        help="staffing table from Erlang C (or Erlang A with --patience)",
        description="Agents needed for a service-level target, from Erlang C (nobody hangs up) or Erlang A "
                    "(exponential patience). Rates like 100/h, durations like 240s, 4min, 1.5h.",
    )
    p.add_argument("--rate", help='calls offered, e.g. "100/h" or "5/30min" (or --forecast)')
    p.add_argument("--forecast", metavar="FILE.csv", help="a day per interval: columns interval_start (HH:MM or "
                   "YYYY-MM-DD HH:MM), volume (calls per interval), optional aht and patience (seconds)")
    p.add_argument("--interval", default="30min", help="interval length of --forecast (default 30min)")
    p.add_argument("--date", help="date of a --forecast with clock times, YYYY-MM-DD (default today)")
    p.add_argument("--out", help="with --forecast: write the per-interval plan to this CSV file")
    p.add_argument("--lines", help="with --forecast: trunk lines for Erlang X (busy signals when all are in use)")
    p.add_argument("--redial", help='with --forecast: share redialing after a busy signal or hang-up, e.g. "50%%" '
                                    "(Erlang X)")
    p.add_argument("--redial-delay", default="15min", help="mean delay before a redial (default 15min, assumed)")
    p.add_argument("--aht", help='mean handle time, e.g. "240s" or "4min" (optional with a forecast aht column)')
    p.add_argument("--target", required=True, help='service level as percent/time, e.g. "80/20s" (80%% within 20 s)')
    p.add_argument("--patience", help='mean caller patience, e.g. "300s": Erlang A (default: nobody hangs up, Erlang C)')
    p.add_argument("--shrinkage", default="0", help='share of paid time off the phones, e.g. "30%%" or 0.3 (default 0)')
    p.add_argument("--max-abandon", help='also require at most this share hanging up, e.g. "5%%"')
    p.add_argument("--max-occupancy", help='also require at most this occupancy, e.g. "85%%"')
    p.add_argument("--sl-definition", default="offered", help="which service level the target applies to: "
                   "offered (all calls, default), answered, or excl_short_abandons")
    p.add_argument("--rows", default="5", help="rows above and below the recommendation (default 5)")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.set_defaults(func=erlang_command)


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _seconds(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.1f}s"


def format_table(table, header: list[str]) -> str:
    """The staffing table as aligned text, the recommended row marked with ``<- recommended``."""
    cols = [("agents", "agents", "{:d}"), ("rostered", "rostered", "{:d}"), ("p_wait", "P(wait)", "pct"),
            ("sl_offered", "SL offered", "pct"), ("sl_answered", "SL answered", "pct"), ("asa_s", "ASA", "s"),
            ("mean_wait_s", "mean wait", "s"), ("p_abandon", "abandon", "pct"), ("occupancy", "occupancy", "pct"),
            ("meets_target", "meets", "yn")]
    cells = []
    for row in table.to_dict("records"):
        line = []
        for key, _, fmt in cols:
            v = row[key]
            if fmt == "pct":
                line.append(f"{100.0 * v:.1f}%")
            elif fmt == "s":
                line.append(_seconds(v))
            elif fmt == "yn":
                line.append("yes" if v else "no")
            else:
                line.append(fmt.format(int(v)))
        cells.append((line, bool(row["recommended"])))
    widths = [max(len(title), *(len(c[0][i]) for c in cells)) for i, (_, title, _) in enumerate(cols)]
    out = list(header) + ["", "  ".join(t.rjust(w) for (_, t, _), w in zip(cols, widths))]
    for line, best in cells:
        text = "  ".join(v.rjust(w) for v, w in zip(line, widths))
        out.append(text + ("  <- recommended" if best else ""))
    return "\n".join(out)


def erlang_command(args) -> int:
    from sim.analytic import staffing_table
    from sim.units import DURATION_EXAMPLE, RATE_EXAMPLE, format_duration, parse_duration, parse_rate

    if (args.rate is None) == (args.forecast is None):
        raise InputError("contactsim erlang: expected exactly one of --rate (one interval) or --forecast (a day)")
    aht = None
    if args.aht is not None:
        aht = _option("--aht", args.aht, _positive(parse_duration),
                      DURATION_EXAMPLE.replace("a duration", "a positive duration"))
    elif args.forecast is None:
        raise InputError("--aht: expected the mean handle time, e.g. 240s")
    level, within = _option("--target", args.target, parse_target,
                            'a service level such as "80/20s" or "0.8/20s" (80% answered within 20 s; a number up to 1 is a '
                            'fraction, above 1 up to 100 a percentage)')
    patience = None
    if args.patience is not None:
        patience = _option("--patience", args.patience, _positive(parse_duration),
                           DURATION_EXAMPLE.replace("a duration", "a positive duration"))
    shrinkage = _option("--shrinkage", args.shrinkage, lambda t: parse_fraction(t, True, False),
                        'a share such as "30%" or 0.3 (at least 0, below 100%)')
    max_abandon = max_occupancy = None
    if args.max_abandon is not None:
        max_abandon = _option("--max-abandon", args.max_abandon, lambda t: parse_fraction(t, False, True),
                              'a share such as "5%" or 0.05 (above 0)')
    if args.max_occupancy is not None:
        max_occupancy = _option("--max-occupancy", args.max_occupancy, lambda t: parse_fraction(t, False, True),
                                'a share such as "85%" or 0.85 (above 0)')
    key = args.sl_definition.strip().removeprefix("sl_")
    if key not in _SL_NAMES:
        raise InputError(f"--sl-definition: expected one of {', '.join(_SL_NAMES)}, got {args.sl_definition!r}")
    sl_definition = _SL_NAMES[key]
    if args.forecast is not None:
        from sim.commands.erlang_forecast import forecast_command

        return forecast_command(args, aht, patience, level, within, shrinkage, max_abandon, max_occupancy,
                                sl_definition)
    rate = _option("--rate", args.rate, parse_rate, RATE_EXAMPLE)
    rows = _option("--rows", args.rows, _whole, "a whole number ≥ 0")
    try:
        table = staffing_table(rate, aht, within, level, patience, shrinkage, rows, max_abandon=max_abandon,
                               max_occupancy=max_occupancy, sl_definition=sl_definition)
    except ValueError as exc:
        raise InputError(f"contactsim erlang: {exc}") from None
    best = table.loc[table["recommended"]].iloc[0]
    load = rate * aht
    model = "erlang_a" if patience is not None else "erlang_c"
    if args.json:
        doc = {
            "model": model,
            "inputs": {"rate_per_s": rate, "mean_service_s": aht, "answer_within_s": within, "service_level": level,
                       "mean_patience_s": patience, "shrinkage": shrinkage, "max_abandon": max_abandon,
                       "max_occupancy": max_occupancy, "sl_definition": sl_definition},
            "offered_load": load,
            "recommended_agents": int(best["agents"]),
            "recommended_rostered": int(best["rostered"]),
            "rows": [{k: _finite(v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                     for row in table.to_dict("records")],
        }
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        print()
        return 0
    what = (f"Erlang A (exponential patience, mean {format_duration(patience)})" if patience is not None
            else "Erlang C (nobody hangs up)")
    targets = [f"{100 * level:g}% answered within {within:g}s ({sl_definition})"]
    if max_abandon is not None:
        targets.append(f"abandon ≤ {100 * max_abandon:g}%")
    if max_occupancy is not None:
        targets.append(f"occupancy ≤ {100 * max_occupancy:g}%")
    header = [
        f"{what}: {args.rate.strip()} × {args.aht.strip()} = {load:.4g} Erlangs offered",
        f"target: {'; '.join(targets)}; shrinkage {100 * shrinkage:g}%",
        f"recommended: {int(best['agents'])} agents on the phones, {int(best['rostered'])} rostered",
    ]
    print(format_table(table, header))
    return 0
