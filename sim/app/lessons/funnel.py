"""Lesson 2 page: inside the phone funnel (menu depth, options, misrouting, transfers → flow, time to a human)."""
import streamlit as st

from sim.app import ui
from sim.app.figures import funnel_flow_figure
from sim.app.funnel import CHOICES, FunnelInputs, compute, menu_time_s, right_path_share


@st.cache_data(max_entries=128, show_spinner="Simulating…")
def run(inputs: FunnelInputs, replications: int):
    return compute(inputs, replications)


ui.lesson("2 · Inside the phone funnel", """
Before a caller speaks to anyone, a phone line puts them through a **funnel**: a greeting, then a menu at every level
("press 1 for orders…"), then a department's queue. Each level costs time (the prompt reads every option), and at
each level some callers press the wrong option and land in the **wrong department**: an agent there spends a
minute finding out, then **transfers** them to the right queue, where they wait again. Here the menu tree has three
departments behind it (orders, billing, service); the agents are split over them by the calls the tree sends.
""")

left, right = ui.controls()
with left:
    # every value a control offers is on the precomputed grid (sim.app.grid)
    depth = st.slider("Menu levels (depth)", CHOICES["depth"][0], CHOICES["depth"][-1], 3, 1, key="depth")
    options = st.slider("Options per menu", CHOICES["options"][0], CHOICES["options"][-1], 4, 1, key="options")
    misroute = st.select_slider("Chance of a wrong press at each level", CHOICES["misroute"], 0.07, key="misroute",
                                help="0.07 per level: the domain notes' calibration to about 19% of calls "
                                     "transferred")
    mode = st.radio("Transfers", CHOICES["transfer_mode"], horizontal=True, key="transfer_mode",
                    help="cold: the caller queues again and repeats the issue (+30 s); warm: the transfer jumps the "
                         "queue of the right department")
    calls = st.slider("Calls per hour", CHOICES["calls_per_hour"][0], CHOICES["calls_per_hour"][-1], 120, 20,
                      key="calls_per_hour")
    agents = st.slider("Agents (all departments)", CHOICES["agents"][0], CHOICES["agents"][-1], 14, 2, key="agents")
    reps = ui.replications("precise_2", quick=2, precise=10)
    inputs = FunnelInputs(depth, options, misroute, mode, calls, agents)
    st.markdown(f"Time in the menus, from the tree alone: greeting 4 s + {depth} × ({options} options × 3 s + 3 s "
                f"to decide) = **{menu_time_s(inputs):.0f} s**. Chance of pressing right at every level: "
                f"(1 − {misroute:.2f})^{depth} = **{right_path_share(inputs):.0%}**.")

with right:
    result = ui.result("funnel", inputs, run, reps, bool(st.session_state.get("precise_2")))
    tab = result["table"].set_index("metric")
    c = st.columns(4)
    for col, (metric, label, digits) in zip(c, (("time_to_first_human_s", "Time to a human", 0),
                                                ("time_to_right_human_s", "Time to the right human", 0),
                                                ("transferred_share", "Share transferred", 1),
                                                ("misrouted_share", "Sent to a wrong department", 1))):
        ui.metric(col, label, tab.at[metric, "simulated"], tab.at[metric, "half_width"], tab.at[metric, "unit"], digits)
    st.plotly_chart(funnel_flow_figure(result["flow"]), key="flow_figure")
    st.caption("The flow of calls that got through the greeting (mean per simulated two hours) and the time "
               "spent in each stage.")
    ui.metric_table(result["table"], {})
    st.caption("Agents per department: " + ", ".join(f"{d} {n}" for d, n in result["agents"].items()))

ui.question(
    "A manager wants to add a fourth menu level so that calls reach a more specialised queue. With a 7% chance of a "
    "wrong press per level, what happens to the time to the right human and to the share transferred? Would fewer "
    "levels with more options be better?",
    "- Every level adds its prompt and a decision to every call: the time in the IVR grows with depth × options.\n"
    "- Every level is another chance to press wrong, so misrouting grows with depth, roughly 1 − (1 − ε)^depth.\n"
    "- A misrouted call meets an agent quickly (time to a human) but the right agent late (time to the right "
    "human): it waits twice and takes two agents' time; transferred callers are also less often resolved.\n"
    "- Warm transfers cut the second wait but not the diagnosis an agent spends on a call that is not theirs.")
ui.download(inputs.scenario(int(result["replications"])), "lesson_funnel.toml",
            "Lesson 2 of the contactsim teaching app: inside the phone funnel (contactsim app).\n"
            "A balanced IVR tree in front of three departments, with misrouting and transfers, as set on the page.")
