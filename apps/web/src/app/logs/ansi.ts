// The explorer shows messages without terminal escapes, removed as the search index removes them.
export { stripAnsi } from '@tyto/contracts';
