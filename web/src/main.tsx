import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";

import { createRouter } from "./App";
import { SessionProvider, createServices } from "./app/session";
import { setupI18n } from "./i18n";
import "./styles.css";

setupI18n();
const services = createServices();
const router = createRouter();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SessionProvider services={services}>
      <RouterProvider router={router} />
    </SessionProvider>
  </StrictMode>,
);
