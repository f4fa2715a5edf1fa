import type { FaissModule } from '@lrat/faiss';

// FAISS through @lrat/faiss (this workspace's addon, built at install time against the system
// libfaiss). Loaded on first use, so BM25 and everything else works where libfaiss is missing; the
// error then names the apt packages to install.
export type { FaissIndex } from '@lrat/faiss';

let faiss: FaissModule | undefined;
export function loadFaiss(): FaissModule {
  if (!faiss) {
    faiss = (require('@lrat/faiss') as typeof import('@lrat/faiss')).loadFaiss();
  }
  return faiss;
}
