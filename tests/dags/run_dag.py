"""Run DAGs with ``dag.test()`` in a process of their own (Airflow reads its configuration at import time).

    python -m tests.dags.run_dag '[["policy_news", {"roll_url": "…"}], ["event_study", {}]]'

Prints one JSON line: per DAG, the run's state and each task's state and XCom return value.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    from airflow.dag_processing.dagbag import DagBag

    plan = json.loads(sys.argv[1])
    bag = DagBag(sys.argv[2] if len(sys.argv) > 2 else None)
    if bag.import_errors:
        print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        return
    results = []
    for dag_id, conf in plan:
        run = bag.get_dag(dag_id).test(run_conf=conf)
        tasks = {}
        for ti in run.get_task_instances():
            tasks[ti.task_id] = {"state": str(ti.state), "return": ti.xcom_pull(task_ids=ti.task_id)}
        results.append({"dag_id": dag_id, "state": str(run.state), "tasks": tasks})
    print("RESULT " + json.dumps(results, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
