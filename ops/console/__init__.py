"""`make console ENV=<env>`: a read-only web page of the environment's durable executions (server.py), each drawn
as a timeline to scale (timeline.py, SVG rendered on the server) above its log lines from every function."""
