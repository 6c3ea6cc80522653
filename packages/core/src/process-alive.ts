/**
 * Whether a process id belongs to a running process (one owned by another user counts as running). Writers put
 * their pid in the names of their temporary files and folders, so that a later writer can tell a crashed writer's
 * leftovers from a live one's.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
