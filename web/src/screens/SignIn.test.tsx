import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, renderApp } from "../test/render";

const user = {
  id: "U1", name: "Demo User", email: "demo@example.com", language: "en", extension: "100", timezone: "Europe/Paris",
};

describe("the sign-in screen", () => {
  it("shows the API's validation error on the field it names", async () => {
    renderApp("/sign-in", async () =>
      json(400, { error: { code: "validation_error", message: "email: value is not a valid email address", field: "email" } }),
    );
    await userEvent.type(screen.getByLabelText("CRM name"), "demo");
    await userEvent.type(screen.getByLabelText("Email"), "not-an-email");
    await userEvent.type(screen.getByLabelText("Password"), "secret");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    const email = screen.getByLabelText("Email");
    await waitFor(() => expect(email).toHaveAttribute("aria-invalid", "true"));
    expect(email).toHaveAccessibleDescription("value is not a valid email address");
    expect(email).toHaveFocus();
    expect(screen.getByLabelText("Password")).not.toHaveAttribute("aria-invalid");
  });

  it("says the credentials are wrong on a 401", async () => {
    renderApp("/sign-in", async () => json(401, { error: { code: "unauthorized", message: "bad credentials" } }));
    await userEvent.type(screen.getByLabelText("CRM name"), "demo");
    await userEvent.type(screen.getByLabelText("Email"), "demo@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("The CRM name, email or password is not right.");
  });

  it("signs in, remembers the CRM and shows the profile", async () => {
    const { tokens } = renderApp("/sign-in", async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/v1/auth/login") {
        return json(200, { access_token: "A1", refresh_token: "R1", expires_in: 3600, user });
      }
      // The home screen's other calls (dashboard, notifications) are not this test's concern.
      return path === "/v1/me" ? json(200, user) : json(404, { error: { code: "not_found", message: "Not found" } });
    });
    await userEvent.type(screen.getByLabelText("CRM name"), "demo");
    await userEvent.type(screen.getByLabelText("Email"), "demo@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "demo-password");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { name: "Welcome, Demo User" })).toBeInTheDocument();
    expect(tokens.get()).toEqual({ accessToken: "A1", refreshToken: "R1" });
    expect(localStorage.getItem("crm.lastCrm")).toBe("demo");
  });
});
