"""The teaching app's entry script (``contactsim app`` runs ``streamlit run`` on it): one page per lesson."""
from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent / "lessons"
PAGES = [
    st.Page(HERE / "home.py", title="Start here", url_path="home", default=True),
    st.Page(HERE / "queues.py", title="1 · Why queues form", url_path="queues"),
    st.Page(HERE / "funnel.py", title="2 · Inside the phone funnel", url_path="funnel"),
    st.Page(HERE / "social.py", title="3 · Funnel or direct social", url_path="social"),
    st.Page(HERE / "reputation.py", title="4 · Response delay and reputation", url_path="reputation"),
    st.Page(HERE / "follow.py", title="5 · Follow the customers", url_path="follow"),
]

st.set_page_config(page_title="contactsim — lessons in customer service", page_icon="📞", layout="wide")
st.navigation(PAGES).run()
