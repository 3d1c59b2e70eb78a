"""Start page of the teaching app: what the lessons are and how to use them in class."""
import streamlit as st

st.title("Lessons in customer service")
st.markdown("""
These lessons let students change how a customer-service operation is run and **see what happens at once**: a
simulation of every call, message and agent (contactsim) set beside the textbook formulas, the flow of calls through
a phone menu, and the customers themselves.

| lesson | the question |
|---|---|
| **1 · Why queues form** | Why do callers wait even when agents are not fully busy, and why does Erlang C ask for too many agents? |
| **2 · Inside the phone funnel** | What do menu levels, options and wrong presses cost in time to a human and in transfers? |
| **3 · Funnel or direct social** | The same customers by phone or by a social team on the same budget: who gets helped, how fast, at what cost? |
| **4 · Response delay and reputation** | How does the size of the social team change reply times, what others see, and customers lost? |
| **5 · Follow the customers** | An animation of every caller through the menus, the queues and the agents. |

Each page has a short text, controls, figures, **a question for students** and **what to notice**. Results come
from a few simulated days while you explore; switch on *More replications* for tighter confidence intervals. Every
page offers **its scenario as a TOML file**: `contactsim run lesson_x.toml --out out/x` reproduces it with all tables
and figures.
""")
st.info("Pick a lesson in the menu on the left; begin with lesson 1.")
