import type { Routes } from '@angular/router';
import { DashboardPage } from './dashboard.page';

const dashboardRoutes: Routes = [{ path: '', component: DashboardPage, title: 'Dashboard · Tyto' }];

export default dashboardRoutes;
