#!/usr/bin/env python3
"""Orleans.TaskEngine reference agent: registers, long-polls for tasks, runs them, reports outcomes.

Python 3.11 standard library only; prints one JSON line per event. See README.md beside this file.
"""
import argparse, concurrent.futures, importlib, inspect, json, os, signal, sys, threading, time
import urllib.error, urllib.request

NAME = "python-agent"

def echo(payload):
    return payload

def sleep(payload, cancelled):
    ms = int((payload or {}).get("ms", 0))
    cancelled.wait(ms / 1000)  # a cancelled task stops waiting; its result is dropped anyway
    return {"sleptMs": ms, "agent": NAME}

HANDLERS = {"py.echo": echo, "py.sleep": sleep}
_print_lock = threading.Lock()

def emit(event, **fields):
    with _print_lock:
        print(json.dumps({"event": event, **fields}), flush=True)

def delays(tries=None):
    """0.5 s, 1 s, 2 s ... capped at 10 s; endless unless tries is given."""
    n = 0
    while tries is None or n < tries:
        yield min(10, 0.5 * 2 ** n)
        n += 1

class Agent:
    def __init__(self, args, handlers):
        self.args, self.handlers, self.id, self.heartbeat_seconds = args, handlers, None, 5
        self.lock = threading.Condition()  # guards running and stopping; never held over the network
        self.register_lock = threading.Lock()
        self.running = {}  # task id -> threading.Event, set when the task is cancelled
        self.stopping, self.stopped = False, threading.Event()
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency)

    def call(self, method, path, body=None, timeout=10):
        """(status, parsed body); raises OSError (URLError included) when the server cannot be reached."""
        request = urllib.request.Request(self.args.url.rstrip("/") + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if self.args.key:
            request.add_header("Authorization", f"Bearer {self.args.key}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, (json.loads(raw) if raw else None)

    def register(self, stale_id=None):
        with self.register_lock:
            if stale_id is not None and stale_id != self.id:
                return  # the other loop registered again already
            body = {"name": self.args.name, "queues": self.args.queue, "taskTypes": sorted(self.handlers),
                    "concurrency": self.args.concurrency, "labels": {"lang": "python"}}
            for delay in delays():
                try:
                    status, answer = self.call("POST", "/api/agents", body)
                    if status == 201:
                        break
                    emit("error", during="register", status=status, detail=answer)
                except OSError as error:
                    emit("error", during="register", detail=str(error))
                time.sleep(delay)
            self.id, self.heartbeat_seconds = answer["id"], answer.get("heartbeatSeconds", 5)
        emit("registered", id=self.id)

    def heartbeat_loop(self):
        while not self.stopped.wait(self.heartbeat_seconds):
            agent_id = self.id
            with self.lock:
                body = {"runningTaskIds": list(self.running)}
            try:
                status, answer = self.call("POST", f"/api/agents/{agent_id}/heartbeat", body)
            except OSError as error:
                emit("error", during="heartbeat", detail=str(error))
                continue
            if status == 404 and not self.stopping:  # declared dead: our leases went elsewhere
                self.register(stale_id=agent_id)
            elif status == 200:
                self.cancel((answer or {}).get("cancelledTaskIds", []))

    def poll_loop(self):
        backoff = delays()
        while True:
            with self.lock:  # poll only with a free slot; the server sends up to our free slots
                self.lock.wait_for(lambda: self.stopping or len(self.running) < self.args.concurrency)
                if self.stopping:
                    return
            agent_id = self.id
            try:
                status, answer = self.call("POST", f"/api/agents/{agent_id}/poll?wait={self.args.wait}", {},
                                           timeout=self.args.wait + 15)
            except OSError as error:
                status, answer = None, str(error)
            if status == 404:
                self.register(stale_id=agent_id)
                continue
            if status != 200:
                emit("error", during="poll", status=status, detail=answer)
                time.sleep(next(backoff))
                continue
            backoff = delays()
            self.cancel(answer.get("cancelledTaskIds", []))
            for task in answer.get("tasks", []):
                with self.lock:
                    if self.stopping:  # leased as we stopped: its lease expires and it runs elsewhere
                        emit("dropped", task=task["id"])
                        continue
                    self.running[task["id"]] = threading.Event()
                self.pool.submit(self.run, task)

    def cancel(self, task_ids):
        with self.lock:
            for task_id in task_ids:
                if task_id in self.running and not self.running[task_id].is_set():
                    self.running[task_id].set()
                    emit("cancelled", task=task_id)

    def run(self, task):
        cancelled, token = self.running[task["id"]], task["leaseToken"]
        emit("received", task=task["id"], attempt=task["attempt"], leaseToken=token)
        try:
            handler = self.handlers[task["type"]]
            takes_event = len(inspect.signature(handler).parameters) >= 2
            result = handler(task["payload"], cancelled) if takes_event else handler(task["payload"])
            outcome = ("complete", {"leaseToken": token, "result": result})
        except Exception as error:  # the handler's failure is the task's failure, not the agent's
            outcome = ("fail", {"leaseToken": token, "error": {"message": str(error) or repr(error),
                                                               "kind": type(error).__name__}})
        if not cancelled.is_set():
            self.report(task["id"], *outcome)
        with self.lock:
            del self.running[task["id"]]
            self.lock.notify_all()

    def report(self, task_id, verb, body):
        """Retries connection errors and 5xx: repeating a report with the same lease token is safe."""
        for delay in delays(tries=4):
            try:
                status, answer = self.call("POST", f"/api/tasks/{task_id}/{verb}", body)
            except OSError as error:
                status, answer = None, str(error)
            if status == 200:
                return emit("completed" if verb == "complete" else "failed", task=task_id)
            if status == 409:  # stale lease: the task was cancelled or went elsewhere
                return emit("stale", task=task_id)
            if status == 413 and verb == "complete":
                error = {"message": "result larger than the server accepts", "kind": "ResultTooLarge", "permanent": True}
                return self.report(task_id, "fail", {"leaseToken": body["leaseToken"], "error": error})
            if status is not None and status < 500:
                return emit("error", during=verb, task=task_id, status=status, detail=answer)
            time.sleep(delay)
        emit("error", during=verb, task=task_id, detail="gave up after retries")

    def stop(self):
        """No new work; running tasks finish and report while heartbeats keep their leases alive."""
        with self.lock:
            self.stopping = True
            self.lock.notify_all()
        try:
            self.call("DELETE", f"/api/agents/{self.id}")
        except OSError as error:
            emit("error", during="deregister", detail=str(error))
        self.pool.shutdown(wait=True)
        self.stopped.set()
        emit("stopped", id=self.id)

def main():
    global NAME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5080")
    parser.add_argument("--key", default=os.environ.get("TASKENGINE_API_KEY"))
    parser.add_argument("--name", default=f"python-{os.uname().nodename}-{os.getpid()}")
    parser.add_argument("--queue", action="append", help="repeat for several queues (default: default)")
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--wait", type=int, default=30, help="long-poll wait in seconds (0..60)")
    parser.add_argument("--module", help="a module whose HANDLERS dict adds to (or overrides) the demo handlers")
    args = parser.parse_args()
    args.queue, NAME, handlers = args.queue or ["default"], args.name, dict(HANDLERS)
    if args.module:
        sys.path.insert(0, os.getcwd())
        handlers.update(importlib.import_module(args.module).HANDLERS)
    agent, stop_requested = Agent(args, handlers), threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_requested.set())
    agent.register()
    threading.Thread(target=agent.heartbeat_loop, daemon=True).start()
    threading.Thread(target=agent.poll_loop, daemon=True).start()  # daemon: a long poll in flight must not delay exit
    stop_requested.wait()
    agent.stop()
    return 0

if __name__ == "__main__":
    sys.exit(main())
