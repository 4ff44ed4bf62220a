import type { Routes } from '@angular/router';
import { FleetPage } from './fleet.page';

const fleetRoutes: Routes = [{ path: '', component: FleetPage, title: 'Fleet · Tyto' }];

export default fleetRoutes;
