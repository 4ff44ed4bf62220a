import type { Routes } from '@angular/router';
import { ProcessesPage } from './processes.page';

export default [{ path: '', component: ProcessesPage, title: 'Processes · Tyto' }] satisfies Routes;
