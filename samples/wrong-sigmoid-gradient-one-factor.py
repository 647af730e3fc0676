# Mistake: differentiates 1 / (1 + exp(-z)) by hand and keeps exp(-z) / (1 + exp(-z)), which is
# 1 - sigma(z): one factor of sigma(z) * (1 - sigma(z)).
# Loses: gradient, gradient_regularised, sigmoid_gradient
# Diagnosis: sigmoid-gradient-one-factor

# %% grade_id="mySigmoidGradient"
def mySigmoidGradient(z):
    return np.exp(-z) / (1 + np.exp(-z))
