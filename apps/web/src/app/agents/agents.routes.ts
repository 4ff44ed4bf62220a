import type { Routes } from '@angular/router';
import { AgentsPage } from './agents.page';

const agentsRoutes: Routes = [{ path: '', component: AgentsPage, title: 'Agents · Tyto' }];

export default agentsRoutes;
