import type { Routes } from '@angular/router';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { HostHistoryPage } from './history/host-history.page';
import { HostPage } from './host.page';
import { HostLivePage } from './live/host-live.page';

// `/host/<agent id>` (live) and `/host/<agent id>/history`; `local` is the hub's own host.
const hostRoutes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: LOCAL_AGENT_ID },
  {
    path: ':agentId',
    component: HostPage,
    children: [
      { path: '', component: HostLivePage, title: 'Host · Tyto' },
      { path: 'history', component: HostHistoryPage, title: 'History · Tyto' },
    ],
  },
];

export default hostRoutes;
