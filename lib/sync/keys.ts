/** The job queue's singleton key of a connection's sync: one queued or running sync per connection. */
export const syncSingletonKey = (connectionId: string) => `sync:${connectionId}`;
