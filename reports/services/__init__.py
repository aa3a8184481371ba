"""Report runs, one module per concern; import from the module that holds the name.

* `requests` – what may be asked and by whom: validating a request and creating the run;
* `claims` – the claim protocol: a worker claims a run once, writes progress and the outcome
  only while it holds the claim, and gives up after `MAX_ATTEMPTS`;
* `outputs` – building a run's files (the report, its charts and PDF, or the dataset);
* `storage` – saving those files and removing what an attempt left behind;
* `failures` – the reason a requester reads, and log lines without personal data;
* `execution` – `report_execute`, the whole job the Celery task runs;
* `housekeeping` – re-queueing stuck runs and deleting expired files.

Queueing the task is `reports.queue`, which does not import the tasks.
"""
