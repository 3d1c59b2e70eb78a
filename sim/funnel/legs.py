"""The legs table while a replication runs: one list per column (a leg is a row number), closed in place when the
stage ends. Columns: contact_id, stage, name, queue, agent_group, agent_id, start, end, wrap-up, result."""
from __future__ import annotations

import math

NAN = math.nan
STAGES = ("greeting", "menu", "self_service", "ivr", "queue", "overflow", "callback_queue", "diagnosis", "service")


class LegBook:
    __slots__ = ("cid", "stage", "name", "queue", "group", "agent", "start", "end", "wrap", "result")

    def __init__(self):
        for col in self.__slots__:
            setattr(self, col, [])

    def add(self, cid: int, stage: str, name, queue, group, agent: int, start: float, end: float = NAN,
            result=None) -> int:
        self.cid.append(cid)
        self.stage.append(stage)
        self.name.append(name)
        self.queue.append(queue)
        self.group.append(group)
        self.agent.append(agent)
        self.start.append(start)
        self.end.append(end)
        self.wrap.append(0.0)
        self.result.append(result)
        return len(self.cid) - 1

    def close(self, i: int, end: float, result) -> None:
        self.end[i] = end
        self.result[i] = result

    def __len__(self) -> int:
        return len(self.cid)
