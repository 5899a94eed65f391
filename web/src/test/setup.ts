import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

import { setupI18n } from "../i18n";

setupI18n("en");
// `make test` runs these beside the Python suite and the browser tests on a small machine: a
// screen may take more than the default second to appear. A passing test waits no longer.
configure({ asyncUtilTimeout: 5_000 });
afterEach(() => {
  cleanup();
  if (typeof localStorage !== "undefined") localStorage.clear(); // logic files run in plain Node
});
