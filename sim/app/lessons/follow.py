"""Lesson 5 page: follow the customers (an animation replayed from the legs table)."""
import streamlit as st

from sim.app import ui
from sim.app.figures import follow_figure
from sim.app.follow import FollowInputs, compute, story
from sim.app.scenarios import DEPARTMENTS, menu_tree, split_agents


@st.cache_data(max_entries=64, show_spinner="Simulating and replaying…")
def run(calls_per_hour, agents, misroute, transfer_mode, start_min, minutes, seed):
    return compute(FollowInputs(calls_per_hour, agents, misroute, transfer_mode, start_min, minutes, seed=seed))


ui.lesson("5 · Follow the customers", """
Averages hide people. Here the funnel of lesson 2 (a 3-level menu of 4 options, three departments) runs for one
morning, and every caller's path is **replayed from the simulation's own record** — the `legs` table, one row per
stage a call went through: the menus, each wait in a queue, each agent who spoke to them. Press ▶ to watch callers
move through the menus, wait for a department and sit with an agent; the grey squares are the department's agents.
Colours tell each caller's story: first try, sent to the wrong department, transferred, and how it ended.
""")

left, right = ui.controls(2.6)
with left:
    calls = st.slider("Calls per hour", 40, 240, 120, 10, key="calls_per_hour")
    agents = st.slider("Agents (all departments)", 3, 30, 14, 1, key="agents")
    misroute = st.slider("Chance of a wrong press at each level", 0.0, 0.30, 0.07, 0.01, key="misroute")
    mode = st.radio("Transfers", ["cold", "warm"], horizontal=True, key="transfer_mode")
    start = st.slider("Replay from (minutes after opening)", 0, 120, 30, 5, key="start_min")
    minutes = st.select_slider("Replay length (minutes)", [10, 20, 30], 20, key="minutes")
    seed = st.number_input("Another morning (random seed)", 1, 999, 1, 1, key="seed")

with right:
    result, seconds = ui.timed(run, calls, agents, misroute, mode, start, minutes, int(seed))
    num = result["numbers"]
    c = st.columns(4)
    c[0].metric("Callers arriving in the replay", num["arrived"])
    c[1].metric("Longest queue seen", num["longest_queue"])
    c[2].metric("Mean wait of calls answered", ui.fmt(num["mean_wait_s"], "s", 0))
    c[3].metric("Transfers in the replay", num["transfers"])
    ui.took(seconds)
    _, _, shares = menu_tree(3, 4, misroute)
    seats = dict(zip(DEPARTMENTS, split_agents(agents, shares)))
    st.plotly_chart(follow_figure(result["positions"], seats, "every dot is a caller; press ▶ or drag the clock"),
                    key="follow_figure")

st.subheader("One caller's story")
pos = result["positions"]
moved = pos.groupby("contact_id")["state"].agg(lambda s: "transferred" in set(s))
callers = list(moved.sort_values(ascending=False).index[:40])
if callers:
    who = st.selectbox("Caller (those transferred first)", callers, key="caller")
    st.dataframe(story(result["legs"], who), hide_index=True, width="stretch")

ui.question(
    "Find a caller who was transferred. How long did they spend in the menus, in each queue and with each agent? "
    "Now take two agents away: where do the dots pile up first, and who waits longest — callers on their first try "
    "or those transferred?",
    "- Queues are not steady: they build in bursts when several calls arrive close together, then drain.\n"
    "- A transferred caller queues twice and occupies two agents; with cold transfers they wait at the back again.\n"
    "- An agent busy with a long call blocks that seat for minutes: handle times vary a lot (lognormal, CV 1).\n"
    "- The replay is the simulation's own record: the averages of lessons 1 and 2 are built from exactly these "
    "paths.")
ui.download(FollowInputs(calls, agents, misroute, mode, start, minutes, seed=int(seed)).scenario(), "lesson_follow.toml",
            "Lesson 5 of the contactsim teaching app: follow the customers (contactsim app).\n"
            "The funnel of lesson 2 for one morning (one replication); contactsim run writes its legs table.")
