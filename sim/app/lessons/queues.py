"""Lesson 1 page: why queues form (simulation beside Erlang C and Erlang A, Little's law, why Erlang C over-staffs)."""
import streamlit as st

from sim.app import ui
from sim.app.figures import queue_figure, wait_figure
from sim.app.queues import QueueInputs, compute


@st.cache_data(max_entries=256, show_spinner="Simulating…")
def run(inputs: QueueInputs, replications: int):
    return compute(inputs, replications)


ui.lesson("1 · Why queues form", """
Calls arrive at random and take a random time to handle. Even when the agents could, on average, handle every call,
some calls arrive while all agents are busy and have to **wait**; some callers lose patience and **hang up**.
Here one phone queue is simulated call by call (eight hours after a half-hour warm-up, several independent days)
and set beside the exact formulas: **Erlang C** (nobody ever hangs up) and **Erlang A** (callers hang up after an
exponential patience). Move a control and compare.
""")

left, right = ui.controls()
with left:
    calls = st.slider("Calls per hour", 20, 300, 100, 10, key="calls_per_hour")
    handle = st.slider("Mean handle time (minutes)", 1.0, 10.0, 4.0, 0.5, key="handle_min")
    patience = st.slider("Mean patience before hanging up (minutes)", 0.5, 30.0, 5.0, 0.5, key="patience_min")
    agents = st.slider("Agents on the phones", 1, 40, 8, 1, key="agents")
    within = st.select_slider("Answer within (seconds) — the service-level target", [10, 15, 20, 30, 45, 60], 20,
                              key="answer_within_s")
    reps = ui.replications("precise_1")
    load = calls * handle / 60.0
    st.markdown(f"Offered load **R = λ × mean handle time = {load:.1f} Erlangs**: the agents needed just to keep up. "
                f"With {agents} agents, occupancy is at most R/n = {min(load / agents, 1):.0%}.")

with right:
    inputs = QueueInputs(calls, handle, patience, agents, within)
    result = ui.result("queues", inputs, run, reps, bool(st.session_state.get("precise_1")))
    tab = result["table"].set_index("metric")
    lit = result["little"]
    c = st.columns(4)
    ui.metric(c[0], "Service level, simulated", tab.at["sl_offered", "simulated"], tab.at["sl_offered", "half_width"],
              "%")
    ui.metric(c[1], "Erlang A (exact)", tab.at["sl_offered", "erlang_a"], unit="%")
    ui.metric(c[2], "Erlang C (no hang-ups)", tab.at["sl_offered", "erlang_c"], unit="%")
    ui.metric(c[3], "Hang up, simulated", tab.at["abandon_rate", "simulated"], tab.at["abandon_rate", "half_width"],
              "%")
    st.plotly_chart(queue_figure(result, agents), key="queue_figure")
    ui.metric_table(result["table"], {"erlang_a": "Erlang A (exact)", "erlang_c": "Erlang C (exact)"})
    if load >= agents:
        st.warning(f"R = {load:.1f} ≥ {agents} agents: by Erlang C the queue grows without end (∞). In the simulation "
                   "and in Erlang A it does not, because callers hang up.")

st.subheader("Little's law, live")
lc = st.columns(3)
ui.metric(lc[0], "L: callers waiting (time average)", lit["L"], lit["L_hw"], "", 3)
ui.metric(lc[1], "λ × W: arrivals per second × mean wait", lit["lambda_W"], lit["lambda_W_hw"], "", 3)
ui.metric(lc[2], "L ÷ (λ × W), per day", lit["ratio"], lit["ratio_hw"], "", 3)
st.markdown(f"λ = {lit['lambda_per_min']:.2f} calls a minute, W = {lit['W_s']:.1f} s mean wait of every caller "
            "(those who hung up count until they hung up). Little's law L = λW holds for any queue, whatever the "
            "distributions: the two columns agree on every simulated day, not only on average (the small gap is the "
            "callers still waiting at the window's edges).")

st.subheader("Why Erlang C over-staffs")
req = result["required"]
oc = st.columns(3)
oc[0].metric("Agents for 80/20 by Erlang C", req["erlang_c"])
oc[1].metric("Agents for 80/20 by Erlang A", req["erlang_a"])
oc[2].metric("Erlang C asks for", f"{req['erlang_c'] - req['erlang_a']:+d} agents")
st.markdown("Erlang C assumes every caller waits as long as it takes. Real callers hang up; each one who does leaves "
            "the queue shorter for those behind, so waits are shorter than Erlang C says and fewer agents reach the "
            "target (at the price of the callers lost: see *Hang up*). The more impatient the callers and the higher "
            "the load, the bigger the gap. Erlang A counts them and matches the simulation.")
st.plotly_chart(wait_figure(result["waits"], within), key="wait_figure")

ui.question(
    "With 100 calls an hour and 4-minute calls, how many agents does it take to answer 80% of calls within 20 seconds? "
    "Find it on the figure, then check it with the simulation. Now halve the patience: which formula changes its "
    "answer, and why does the simulation agree with that one?",
    "- Service level rises steeply over a few agents around the load R, then flattens: the last agents buy little.\n"
    "- Erlang C's curve lies below Erlang A's: it ignores the callers who hang up, so it over-staffs.\n"
    "- Erlang A's exact value falls inside the simulated confidence interval (switch on *More replications* to narrow it).\n"
    "- Little's law holds on every simulated day.\n"
    "- Below R agents Erlang C has no answer at all (∞), the simulation still does: callers hang up instead.")
ui.download(inputs.scenario(reps), "lesson_queues.toml",
            "Lesson 1 of the contactsim teaching app: why queues form (contactsim app).\n"
            "One Erlang A phone queue (M/M/n+M), as set on the page.")
