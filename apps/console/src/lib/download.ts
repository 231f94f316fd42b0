import type { TaskDto } from '@taskyard/contracts';
import { filesApi } from '../api/endpoints';

/**
 * Downloads a task's artifact. The browser cannot add the Bearer header to a plain link, so
 * the console asks for a short-lived signed URL first and lets the browser fetch that.
 */
export async function downloadArtifact(task: Pick<TaskDto, 'artifact_file_key' | 'artifact_file_name'>): Promise<void> {
  if (!task.artifact_file_key) throw new Error('This task has no artifact to download.');
  const { url } = await filesApi.sign(task.artifact_file_key);
  if (!url) throw new Error('The API did not return a download URL.');
  const link = document.createElement('a');
  link.href = url;
  link.download = task.artifact_file_name ?? '';
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
