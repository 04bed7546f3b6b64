-- 0008_task_queue: the queue of background tasks chooses fairly across tenants
-- (lib/core/task_queue.c): the next free worker serves the tenant with the fewest tasks running, then
-- the one served longest ago. claimed_at is when a worker last took the task (its first claim,
-- or the resumption of a task whose worker died); the indexes answer "running tasks of this
-- tenant" and "this tenant's latest claim" without reading the tenant's finished tasks.
ALTER TABLE tasks
  ADD COLUMN claimed_at DATETIME(6) NULL AFTER worker_id,
  ADD KEY ix_tasks_tenant_open (tenant_id, completed_at),
  ADD KEY ix_tasks_tenant_claimed (tenant_id, claimed_at);

-- tasks claimed before this migration: their first heartbeat is the best estimate
UPDATE tasks SET claimed_at = COALESCE(last_checked_in_at, created_at) WHERE worker_id IS NOT NULL;
